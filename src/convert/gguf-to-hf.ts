import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelFormatError } from '../errors.js';
import { metadataValue, tensorByteSize } from '../gguf/gguf-types.js';
import { readGgufHeader, readGgufTensors } from '../gguf/read-gguf.js';
import { encodeFloat32 } from '../gguf/write-gguf.js';
import { type Architecture, ROPE_FREQS, SUPPORTED_ARCHITECTURES } from '../model/llama-config.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import {
  DTYPE_OF_GGML_TYPE,
  type FloatType,
  GGML_TYPE_OF_OUT_TYPE,
  isFloatType,
  type OutType,
  recodeFloats,
} from './float-encoding.js';
import { hfConfigOf } from './gguf-hf-config.js';
import { hfTokenizerFiles } from './gguf-tokenizer.js';
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
