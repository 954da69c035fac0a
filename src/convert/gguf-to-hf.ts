import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from '../errors.js';
import { type GgufHeader, metadataValue, tensorByteSize } from '../gguf/gguf-types.js';
import { readGgufHeader, readGgufTensors } from '../gguf/read-gguf.js';
import { encodeFloat32 } from '../gguf/write-gguf.js';
import { type Architecture, ROPE_FREQS, SUPPORTED_ARCHITECTURES } from '../model/llama-config.js';
import { llama3RopeFactors } from '../model/presets.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import {
  DTYPE_OF_GGML_TYPE,
  type FloatType,
  GGML_TYPE_OF_OUT_TYPE,
  isFloatType,
  type OutType,
  recodeFloats,
} from './float-encoding.js';
import { hfTokenizerFiles } from './gguf-tokenizer.js';
import { HF_ARCHITECTURES } from './hf-config.js';
import { type SafetensorsSource, writeSafetensors } from './safetensors.js';
import { hfTensorName, isRotaryProjection, permuteRotaryRows } from './tensor-names.js';

export interface ConvertGgufToHfOptions {
  /** A GGUF model of architecture llama, qwen2 or qwen3. */
  input: string;
  /** The folder to write config.json, model.safetensors, tokenizer.json and tokenizer_config.json into. */
  output: string;
  /**
   * Element type of every tensor. Default: each F32, F16 or BF16 tensor keeps its type (so the
   * round trip is bit-exact) and a quantized one is dequantized to F32.
   */
  outType?: OutType;
}

export interface ConvertGgufToHfResult {
  output: string;
  architecture: Architecture;
  tensorCount: number;
  /** Quantized tensors that were dequantized. */
  dequantized: string[];
}

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
function hfConfigOf(
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
  const required = (key: string): number =>
    value(key) ??
    (() => {
      throw new ModelFormatError('missing or invalid hyperparameter', { file, field: `${arch}.${key}` });
    })();
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

/**
 * Convert a GGUF of a llama, qwen2 or qwen3 model to a Hugging Face folder that transformers loads
 * (config.json, model.safetensors, tokenizer.json, tokenizer_config.json): the inverse of
 * {@link convertHfToGguf}, so converting the result back gives the same GGUF bit for bit.
 */
export async function convertGgufToHf(options: ConvertGgufToHfOptions): Promise<ConvertGgufToHfResult> {
  const file = options.input;
  const header = await readGgufHeader(file);
  const { metadata } = header;
  const arch = metadataValue(metadata, 'general.architecture');
  if (metadataValue(metadata, 'general.type') === 'adapter')
    throw new ModelFormatError('this is a LoRA adapter; convert its base model, or merge it first', {
      file,
      field: 'general.type',
    });
  if (!SUPPORTED_ARCHITECTURES.includes(arch as Architecture))
    throw new ModelFormatError(
      `architecture "${String(arch)}" cannot be converted (supported: ${SUPPORTED_ARCHITECTURES.join(', ')})`,
      { file, field: 'general.architecture' },
    );
  const architecture = arch as Architecture;
  let ropeFactors: number[] | undefined;
  if (header.tensors.some((tensor) => tensor.name === ROPE_FREQS))
    ropeFactors = Array.from((await readGgufTensors(file, header, new Set([ROPE_FREQS]))).get(ROPE_FREQS)!);
  const config = hfConfigOf(header, file, ropeFactors);
  const heads = { q: Number(config.num_attention_heads), k: Number(config.num_key_value_heads) };
  const dequantized: string[] = [];
  const sources: SafetensorsSource[] = [];
  for (const tensor of header.tensors) {
    if (tensor.name === ROPE_FREQS) continue;
    const hfName = hfTensorName(tensor.name);
    if (!hfName)
      throw new ModelFormatError(`tensor ${tensor.name} has no Hugging Face counterpart`, { file });
    const keep = isFloatType(tensor.type);
    if (!keep) dequantized.push(tensor.name);
    const to: FloatType = options.outType
      ? GGML_TYPE_OF_OUT_TYPE[options.outType]
      : keep
        ? (tensor.type as FloatType)
        : GGML_TYPE_OF_OUT_TYPE.f32;
    const projection = architecture === 'llama' ? isRotaryProjection(tensor.name) : undefined;
    sources.push({
      name: hfName,
      dtype: DTYPE_OF_GGML_TYPE[to],
      shape: [...tensor.shape].reverse(),
      bytes: async () => {
        let bytes: Uint8Array;
        let type: FloatType;
        if (keep) {
          bytes = await readTensorBytes(
            file,
            header.dataOffset + Number(tensor.offset),
            tensorByteSize(tensor)!,
          );
          type = tensor.type as FloatType;
        } else {
          bytes = encodeFloat32(
            (await readGgufTensors(file, header, new Set([tensor.name]))).get(tensor.name)!,
            GGML_TYPE_OF_OUT_TYPE.f32,
          );
          type = GGML_TYPE_OF_OUT_TYPE.f32;
        }
        bytes = recodeFloats(bytes, type, to);
        if (projection) {
          const elementBytes = bytes.length / tensor.shape.reduce((a, b) => a * b, 1);
          const rowBytes = (tensor.shape.length > 1 ? tensor.shape[0]! : 1) * elementBytes;
          bytes = permuteRotaryRows(bytes, heads[projection], rowBytes, true);
        }
        return bytes;
      },
    });
  }
  const tokenizer = hfTokenizerFiles(metadata, file, Number(config.max_position_embeddings));
  if (tokenizer.bosTokenId !== undefined) config.bos_token_id = tokenizer.bosTokenId;
  if (tokenizer.eosTokenId !== undefined) config.eos_token_id = tokenizer.eosTokenId;
  if (tokenizer.padTokenId !== undefined) config.pad_token_id = tokenizer.padTokenId;
  await mkdir(options.output, { recursive: true });
  await writeSafetensors(join(options.output, 'model.safetensors'), sources);
  await writeFileAtomically(join(options.output, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  await writeFileAtomically(join(options.output, 'tokenizer.json'), JSON.stringify(tokenizer.tokenizerJson));
  await writeFileAtomically(
    join(options.output, 'tokenizer_config.json'),
    `${JSON.stringify(tokenizer.tokenizerConfig, null, 2)}\n`,
  );
  return { output: options.output, architecture, tensorCount: sources.length, dequantized };
}

async function readTensorBytes(file: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const bytes = new Uint8Array(length);
    await handle.read(bytes, 0, length, position);
    return bytes;
  } finally {
    await handle.close();
  }
}
