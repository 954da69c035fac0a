import { ModelFormatError } from '../errors.js';
import { type GgufHeader, metadataValue } from '../gguf/gguf-types.js';
import { type Architecture, ROPE_FREQS } from '../model/llama-config.js';
import { llama3RopeFactors } from '../model/presets.js';
import { HF_ARCHITECTURES } from './hf-config.js';

/** The shortest decimal that is the same float32, so config.json reads 1e-06 and not 9.99999997e-07. */
export function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 17; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** Llama 3 rope_scaling whose factors, computed as the converter computes them, are exactly these. */
function llama3Scaling(factors: number[], base: number, headDimension: number, file: string) {
  const factor = Math.max(...factors);
  // Several settings give the same factors (only the wavelength bounds matter): Llama 3's
  // published low/high factors (1, 4) are tried first with every context length.
  for (const [lowFreqFactor, highFreqFactor] of [
    [1, 4],
    [1, 2],
    [1, 8],
    [2, 4],
    [0.5, 4],
  ] as const)
    for (const originalContextLength of [
      8192, 4096, 2048, 16384, 32768, 65536, 131072, 1024, 512, 256, 128, 64,
    ]) {
      const scaling = { factor, lowFreqFactor, highFreqFactor, originalContextLength };
      const computed = llama3RopeFactors(base, headDimension, scaling);
      if (computed.every((value, i) => Math.fround(value) === factors[i]))
        return {
          rope_type: 'llama3',
          factor,
          low_freq_factor: lowFreqFactor,
          high_freq_factor: highFreqFactor,
          original_max_position_embeddings: originalContextLength,
        };
    }
  throw new ModelFormatError('these RoPE factors are not the Llama 3 scaling of any common setting', {
    file,
    field: ROPE_FREQS,
  });
}

/** config.json for a GGUF's `<arch>.*` keys: the inverse of what convertHfToGguf writes. */
export function hfConfigOf(
  header: GgufHeader,
  file: string,
  ropeFactors: number[] | undefined,
): Record<string, unknown> {
  const { metadata } = header;
  const arch = metadataValue(metadata, 'general.architecture') as Architecture;
  const value = (key: string): number | undefined => {
    const found = metadataValue(metadata, `${arch}.${key}`);
    return typeof found === 'number' ? found : undefined;
  };
  const required = (key: string): number => {
    const found = value(key);
    if (found === undefined)
      throw new ModelFormatError('missing or invalid hyperparameter', { file, field: `${arch}.${key}` });
    return found;
  };
  const embedding = header.tensors.find((tensor) => tensor.name === 'token_embd.weight');
  if (!embedding) throw new ModelFormatError('tensor token_embd.weight is missing', { file });
  const headCount = required('attention.head_count');
  const embeddingLength = required('embedding_length');
  const keyLength = value('attention.key_length');
  const headDimension = keyLength ?? embeddingLength / headCount;
  if ((value('attention.value_length') ?? headDimension) !== headDimension)
    throw new ModelFormatError('key and value heads of different widths have no config.json field', {
      file,
      field: `${arch}.attention.value_length`,
    });
  if ((value('rope.dimension_count') ?? headDimension) !== headDimension)
    throw new ModelFormatError('partial rotary embedding is not supported', {
      file,
      field: `${arch}.rope.dimension_count`,
    });
  const ropeBase = value('rope.freq_base') ?? 10000;
  const scalingType = metadataValue(metadata, `${arch}.rope.scaling.type`);
  let ropeScaling: Record<string, unknown> | null = null;
  if (scalingType === 'linear')
    ropeScaling = { rope_type: 'linear', factor: shortestFloat32(required('rope.scaling.factor')) };
  else if (scalingType === 'yarn')
    ropeScaling = {
      rope_type: 'yarn',
      factor: shortestFloat32(required('rope.scaling.factor')),
      original_max_position_embeddings: required('rope.scaling.original_context_length'),
    };
  else if (scalingType !== undefined && scalingType !== 'none')
    throw new ModelFormatError(`RoPE scaling "${String(scalingType)}" is not supported`, {
      file,
      field: `${arch}.rope.scaling.type`,
    });
  if (ropeFactors) ropeScaling = llama3Scaling(ropeFactors, ropeBase, headDimension, file);
  const fileType = metadataValue(metadata, 'general.file_type');
  const name = metadataValue(metadata, 'general.name');
  const config: Record<string, unknown> = {
    architectures: [HF_ARCHITECTURES[arch]],
    model_type: arch,
    ...(typeof name === 'string' ? { _name_or_path: name } : {}),
    vocab_size: embedding.shape[1],
    hidden_size: embeddingLength,
    intermediate_size: required('feed_forward_length'),
    num_hidden_layers: required('block_count'),
    num_attention_heads: headCount,
    num_key_value_heads: value('attention.head_count_kv') ?? headCount,
    ...(keyLength !== undefined ? { head_dim: keyLength } : {}),
    max_position_embeddings: required('context_length'),
    rms_norm_eps: shortestFloat32(value('attention.layer_norm_rms_epsilon') ?? 1e-5),
    rope_theta: shortestFloat32(ropeBase),
    rope_scaling: ropeScaling,
    hidden_act: 'silu',
    ...(arch === 'llama' ? { attention_bias: false, mlp_bias: false } : {}),
    tie_word_embeddings: !header.tensors.some((tensor) => tensor.name === 'output.weight'),
    torch_dtype: fileType === 1 ? 'float16' : fileType === 32 ? 'bfloat16' : 'float32',
    use_cache: true,
  };
  return config;
}
