import { ModelFormatError } from '../errors.js';
import {
  GgmlType,
  type GgufMetadata,
  type GgufTensorToWrite,
  gguf,
  metadataValue,
} from '../gguf/gguf-types.js';
import { readGgufHeader, readGgufTensors } from '../gguf/read-gguf.js';
import { writeGguf } from '../gguf/write-gguf.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import { type LlamaConfig, type LlamaWeights, llamaTensorShapes } from './llama-config.js';

export interface LlamaModel {
  config: LlamaConfig;
  weights: LlamaWeights;
  tokenizer: Tokenizer;
  chatTemplate: string;
  /** Free-form `general.*` values carried through a save (name, description, training provenance). */
  general: Record<string, string>;
}

export type WeightStorageType = 'f32' | 'f16';

const ARCHITECTURE = 'llama';

/** The `llama.*` hyperparameters from GGUF metadata, or a ModelFormatError naming the key. */
export function llamaConfigFromMetadata(
  metadata: GgufMetadata,
  file: string,
  hasOutputTensor: boolean,
): LlamaConfig {
  const architecture = metadataValue(metadata, 'general.architecture');
  if (architecture !== ARCHITECTURE) {
    throw new ModelFormatError(
      `architecture "${String(architecture)}" cannot be trained by the embedded engine (it trains "llama" models)`,
      { file, field: 'general.architecture' },
    );
  }
  const number = (key: string, fallback?: number): number => {
    const value = metadataValue(metadata, `${ARCHITECTURE}.${key}`);
    if (typeof value === 'number') return value;
    if (fallback !== undefined) return fallback;
    throw new ModelFormatError('missing or invalid hyperparameter', {
      file,
      field: `${ARCHITECTURE}.${key}`,
    });
  };
  const tokens = metadataValue(metadata, 'tokenizer.ggml.tokens');
  const headCount = number('attention.head_count');
  return {
    vocabSize: number('vocab_size', Array.isArray(tokens) ? tokens.length : undefined),
    contextLength: number('context_length'),
    embeddingLength: number('embedding_length'),
    blockCount: number('block_count'),
    headCount,
    headCountKv: number('attention.head_count_kv', headCount),
    feedForwardLength: number('feed_forward_length'),
    rmsNormEpsilon: number('attention.layer_norm_rms_epsilon', 1e-5),
    ropeFreqBase: number('rope.freq_base', 10000),
    tiedOutput: !hasOutputTensor,
  };
}

/** Read a Llama GGUF with F32/F16 weights: config, weights, tokenizer and chat template. */
export async function readLlamaModel(path: string): Promise<LlamaModel> {
  const header = await readGgufHeader(path);
  const names = new Set(header.tensors.map((tensor) => tensor.name));
  const config = llamaConfigFromMetadata(header.metadata, path, names.has('output.weight'));
  const expected = llamaTensorShapes(config);
  const byName = new Map(header.tensors.map((tensor) => [tensor.name, tensor]));
  for (const [name, shape] of expected) {
    const tensor = byName.get(name);
    if (!tensor) throw new ModelFormatError(`missing tensor ${name}`, { file: path });
    if (tensor.shape.join(',') !== shape.join(',')) {
      throw new ModelFormatError(`tensor ${name} has shape [${tensor.shape}], expected [${shape}]`, {
        file: path,
      });
    }
  }
  const data = await readGgufTensors(path, header, new Set(expected.keys()));
  const weights: LlamaWeights = new Map();
  for (const [name, shape] of expected) weights.set(name, { shape, data: data.get(name)! });
  const template = metadataValue(header.metadata, 'tokenizer.chat_template');
  const general: Record<string, string> = {};
  for (const [key, entry] of header.metadata) {
    if (key.startsWith('general.') && typeof entry.value === 'string' && key !== 'general.architecture') {
      general[key.slice('general.'.length)] = entry.value;
    }
  }
  return {
    config,
    weights,
    tokenizer: Tokenizer.fromGgufMetadata(header.metadata, path),
    chatTemplate: typeof template === 'string' ? template : '',
    general,
  };
}

/** Metadata llama.cpp needs to load a Llama model of this config. */
export function llamaMetadata(model: Omit<LlamaModel, 'weights'>, storage: WeightStorageType): GgufMetadata {
  const { config } = model;
  const metadata: GgufMetadata = new Map();
  metadata.set('general.architecture', gguf.string(ARCHITECTURE));
  for (const [key, value] of Object.entries(model.general))
    metadata.set(`general.${key}`, gguf.string(value));
  // general.file_type: 0 = all F32, 1 = mostly F16 (llama_ftype).
  metadata.set('general.file_type', gguf.uint32(storage === 'f16' ? 1 : 0));
  metadata.set('llama.vocab_size', gguf.uint32(config.vocabSize));
  metadata.set('llama.context_length', gguf.uint32(config.contextLength));
  metadata.set('llama.embedding_length', gguf.uint32(config.embeddingLength));
  metadata.set('llama.block_count', gguf.uint32(config.blockCount));
  metadata.set('llama.feed_forward_length', gguf.uint32(config.feedForwardLength));
  metadata.set('llama.attention.head_count', gguf.uint32(config.headCount));
  metadata.set('llama.attention.head_count_kv', gguf.uint32(config.headCountKv));
  metadata.set('llama.attention.layer_norm_rms_epsilon', gguf.float32(config.rmsNormEpsilon));
  metadata.set('llama.rope.freq_base', gguf.float32(config.ropeFreqBase));
  metadata.set('llama.rope.dimension_count', gguf.uint32(config.embeddingLength / config.headCount));
  for (const [key, value] of model.tokenizer.toGgufMetadata()) metadata.set(key, value);
  if (model.chatTemplate) metadata.set('tokenizer.chat_template', gguf.string(model.chatTemplate));
  return metadata;
}

/** Write a Llama model as GGUF (atomically). F16 storage keeps 1-D tensors (norms) in F32, as llama.cpp's converters do. */
export async function writeLlamaModel(
  path: string,
  model: LlamaModel,
  storage: WeightStorageType = 'f32',
): Promise<void> {
  const shapes = llamaTensorShapes(model.config);
  const tensors: GgufTensorToWrite[] = [];
  for (const [name, shape] of shapes) {
    const tensor = model.weights.get(name);
    if (!tensor) throw new ModelFormatError(`cannot write model: tensor ${name} is missing`, { file: path });
    const type = storage === 'f16' && shape.length > 1 ? GgmlType.F16 : GgmlType.F32;
    tensors.push({ name, shape, data: tensor.data, type });
  }
  await writeGguf(path, llamaMetadata(model, storage), tensors);
}
