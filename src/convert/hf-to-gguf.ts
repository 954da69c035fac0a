import { basename } from 'node:path';
import { ModelFormatError } from '../errors.js';
import { GgmlType, type GgufMetadata, gguf } from '../gguf/gguf-types.js';
import { type GgufTensorSource, writeGgufSources } from '../gguf/write-gguf.js';
import { type Architecture, llamaTensorShapes, ROPE_FREQS } from '../model/llama-config.js';
import {
  type FloatType,
  GGML_TYPE_OF_DTYPE,
  GGML_TYPE_OF_OUT_TYPE,
  type OutType,
  recodeFloats,
} from './float-encoding.js';
import type { HfModelConfig } from './hf-config.js';
import { readHfModelFolder } from './hf-model-folder.js';
import { hfTokenizerMetadata } from './hf-tokenizer.js';
import { DTYPE_BYTES, readSafetensorsData } from './safetensors.js';
import { ggufTensorName, hfTensorName, isRotaryProjection, permuteRotaryRows } from './tensor-names.js';

export interface ConvertHfToGgufOptions {
  /** A Hugging Face model folder (config.json, safetensors, tokenizer.json). */
  input: string;
  /** The GGUF file to write. */
  output: string;
  /** Element type of the weight matrices (default f16, as llama.cpp's converter); norms stay F32. */
  outType?: OutType;
  /** llama.cpp's pre-tokenizer name, when tokenizer.json's pre_tokenizer is not one recognised. */
  pre?: string;
}

export interface ConvertHfToGgufResult {
  output: string;
  architecture: Architecture;
  outType: OutType;
  tensorCount: number;
  parameterCount: number;
}

/** llama_ftype of a file whose matrices are all of one type. */
export const FILE_TYPE_OF_OUT_TYPE: Record<OutType, number> = { f32: 0, f16: 1, bf16: 32 };

/** Tensors llama.cpp's converter drops (precomputed RoPE tables). */
const SKIPPED = /\.rotary_emb\.inv_freq$/;

/**
 * Convert a Hugging Face checkpoint of a llama, qwen2 or qwen3 model to GGUF the way
 * convert_hf_to_gguf.py does: tensor names mapped to GGUF's, the query/key rows of `llama` reordered
 * for llama.cpp's RoPE, Llama 3 RoPE scaling turned into `rope_freqs.weight`, 1-D tensors and norms
 * in F32, a tied head written as no `output.weight`. Tensors are read and written one at a time.
 */
export async function convertHfToGguf(options: ConvertHfToGgufOptions): Promise<ConvertHfToGgufResult> {
  const outType = options.outType ?? 'f16';
  const folder = await readHfModelFolder(options.input);
  const { model } = folder;
  const { config, architecture } = model;
  // llama.cpp writes what the checkpoint holds: a head of its own if lm_head is there, else tied.
  config.tiedOutput = !folder.tensors.has('lm_head.weight');
  const expected = llamaTensorShapes(config);
  for (const name of folder.tensors.keys()) {
    const ggufName = ggufTensorName(name);
    if (SKIPPED.test(name)) continue;
    if (!ggufName || !expected.has(ggufName))
      throw new ModelFormatError(
        `tensor ${name} is not part of a ${architecture} model with this config.json`,
        { file: folder.tensors.get(name)!.file },
      );
  }
  const sources: GgufTensorSource[] = [];
  const factors = config.ropeFrequencyFactors;
  if (factors) {
    const data = Float32Array.from(factors);
    sources.push({
      name: ROPE_FREQS,
      shape: [factors.length],
      type: GgmlType.F32,
      bytes: () => new Uint8Array(data.buffer),
    });
  }
  let parameterCount = 0;
  for (const [name, shape] of expected) {
    const hfName = hfTensorName(name)!;
    const tensor = folder.tensors.get(hfName);
    if (!tensor)
      throw new ModelFormatError(`tensor ${hfName} is missing (config.json implies it)`, {
        file: folder.weightsFile,
      });
    const hfShape = [...shape].reverse();
    if (tensor.shape.join(',') !== hfShape.join(','))
      throw new ModelFormatError(
        `tensor ${hfName} has shape [${tensor.shape}], config.json implies [${hfShape}]`,
        { file: tensor.file },
      );
    parameterCount += shape.reduce((a, b) => a * b, 1);
    const from = GGML_TYPE_OF_DTYPE[tensor.dtype];
    const to: FloatType =
      shape.length <= 1 || name.endsWith('_norm.weight') ? GgmlType.F32 : GGML_TYPE_OF_OUT_TYPE[outType];
    const heads = rotaryHeads(model, name);
    sources.push({
      name,
      shape,
      type: to,
      bytes: async () => {
        let bytes = await readSafetensorsData(tensor);
        if (heads !== undefined)
          bytes = permuteRotaryRows(
            bytes,
            heads,
            (shape.length > 1 ? shape[0]! : 1) * DTYPE_BYTES[tensor.dtype],
          );
        return recodeFloats(bytes, from, to);
      },
    });
  }
  const tokenizer = await hfTokenizerMetadata(folder.directory, model.raw, config.vocabSize, options.pre);
  const metadata = hfGgufMetadata(model, outType, modelName(model, options.input));
  for (const [key, value] of tokenizer.metadata) metadata.set(key, value);
  if (tokenizer.chatTemplate !== undefined)
    metadata.set('tokenizer.chat_template', gguf.string(tokenizer.chatTemplate));
  await writeGgufSources(options.output, metadata, sources);
  return { output: options.output, architecture, outType, tensorCount: sources.length, parameterCount };
}

/** Heads to reorder a tensor's rows by: query and key projections of `llama` only. */
export function rotaryHeads(
  model: Pick<HfModelConfig, 'architecture' | 'config'>,
  ggufName: string,
): number | undefined {
  if (model.architecture !== 'llama') return undefined;
  const projection = isRotaryProjection(ggufName);
  if (projection === 'q') return model.config.headCount;
  if (projection === 'k') return model.config.headCountKv;
  return undefined;
}

const modelName = (model: HfModelConfig, input: string): string =>
  basename(model.raw._name_or_path || input.replace(/\/+$/, ''));

/** The general.* and `<arch>.*` keys, in the order convert_hf_to_gguf.py writes them. */
function hfGgufMetadata(model: HfModelConfig, outType: OutType, name: string): GgufMetadata {
  const { architecture: arch, config, raw, ropeScaling } = model;
  const metadata: GgufMetadata = new Map();
  metadata.set('general.architecture', gguf.string(arch));
  metadata.set('general.type', gguf.string('model'));
  metadata.set('general.name', gguf.string(name));
  metadata.set(`${arch}.block_count`, gguf.uint32(config.blockCount));
  metadata.set(`${arch}.context_length`, gguf.uint32(config.contextLength));
  metadata.set(`${arch}.embedding_length`, gguf.uint32(config.embeddingLength));
  metadata.set(`${arch}.feed_forward_length`, gguf.uint32(config.feedForwardLength));
  metadata.set(`${arch}.attention.head_count`, gguf.uint32(config.headCount));
  metadata.set(`${arch}.attention.head_count_kv`, gguf.uint32(config.headCountKv));
  if (ropeScaling?.kind === 'linear' || ropeScaling?.kind === 'yarn') {
    metadata.set(`${arch}.rope.scaling.type`, gguf.string(ropeScaling.kind));
    metadata.set(`${arch}.rope.scaling.factor`, gguf.float32(ropeScaling.factor));
    if (ropeScaling.kind === 'yarn')
      metadata.set(
        `${arch}.rope.scaling.original_context_length`,
        gguf.uint32(ropeScaling.originalContextLength),
      );
  }
  metadata.set(`${arch}.rope.freq_base`, gguf.float32(config.ropeFreqBase));
  metadata.set(`${arch}.attention.layer_norm_rms_epsilon`, gguf.float32(config.rmsNormEpsilon));
  if (raw.head_dim) {
    metadata.set(`${arch}.attention.key_length`, gguf.uint32(raw.head_dim));
    metadata.set(`${arch}.attention.value_length`, gguf.uint32(raw.head_dim));
  }
  metadata.set('general.file_type', gguf.uint32(FILE_TYPE_OF_OUT_TYPE[outType]));
  if (arch === 'llama') {
    metadata.set(`${arch}.vocab_size`, gguf.uint32(config.vocabSize));
    metadata.set(
      `${arch}.rope.dimension_count`,
      gguf.uint32(raw.head_dim ?? config.embeddingLength / config.headCount),
    );
  }
  return metadata;
}
