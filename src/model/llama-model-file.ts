import { ModelFormatError } from '../errors.js';
import {
  GgmlType,
  type GgufHeader,
  type GgufMetadata,
  type GgufTensorToWrite,
  gguf,
  metadataValue,
} from '../gguf/gguf-types.js';
import { readGgufHeader, readGgufTensors } from '../gguf/read-gguf.js';
import { writeGguf } from '../gguf/write-gguf.js';
import { PRE_TOKENIZER_NAME } from '../tokenizer/pre-tokenize.js';
import { Tokenizer } from '../tokenizer/tokenizer.js';
import {
  type Architecture,
  headDimensionOf,
  type LlamaConfig,
  type LlamaWeights,
  llamaTensorShapes,
  ROPE_FREQS,
  SUPPORTED_ARCHITECTURES,
} from './llama-config.js';

export interface LlamaModel {
  config: LlamaConfig;
  weights: LlamaWeights;
  /**
   * medistill's own byte-level BPE, present when the file's tokenizer is the one medistill makes
   * (`gpt2` with the `gpt-2` pre-tokenizer). Real families tokenize through llama.cpp instead.
   */
  tokenizer?: Tokenizer;
  /** Every `tokenizer.ggml.*` key of the file, carried through a save unchanged. */
  tokenizerMetadata: GgufMetadata;
  chatTemplate: string;
  /** Free-form `general.*` values carried through a save (name, description, training provenance). */
  general: Record<string, string>;
}

export type WeightStorageType = 'f32' | 'f16';

/** The supported architecture named by `general.architecture`, or a ModelFormatError listing them. */
export function supportedArchitecture(metadata: GgufMetadata, file: string): Architecture {
  const architecture = metadataValue(metadata, 'general.architecture');
  if (!SUPPORTED_ARCHITECTURES.includes(architecture as Architecture)) {
    throw new ModelFormatError(
      `architecture "${String(architecture)}" cannot be trained by the embedded engine (supported: ${SUPPORTED_ARCHITECTURES.join(', ')})`,
      { file, field: 'general.architecture' },
    );
  }
  return architecture as Architecture;
}

/**
 * The hyperparameters from GGUF metadata and the tensors present, or a ModelFormatError naming
 * the key. Settings llama.cpp would apply but this engine does not compute (YaRN or LongRoPE
 * scaling, partial rotary, a custom attention scale) are refused rather than ignored.
 */
export function llamaConfigFromMetadata(
  metadata: GgufMetadata,
  file: string,
  tensorNames: ReadonlySet<string>,
): LlamaConfig {
  const architecture = supportedArchitecture(metadata, file);
  const number = (key: string, fallback?: number): number => {
    const value = metadataValue(metadata, `${architecture}.${key}`);
    if (typeof value === 'number') return value;
    if (fallback !== undefined) return fallback;
    throw new ModelFormatError('missing or invalid hyperparameter', {
      file,
      field: `${architecture}.${key}`,
    });
  };
  const refuse = (key: string, why: string): never => {
    throw new ModelFormatError(why, { file, field: `${architecture}.${key}` });
  };
  const tokens = metadataValue(metadata, 'tokenizer.ggml.tokens');
  const headCount = number('attention.head_count');
  const embeddingLength = number('embedding_length');
  const headDimension = number('attention.key_length', embeddingLength / headCount);
  if (number('attention.value_length', headDimension) !== headDimension)
    refuse('attention.value_length', 'key and value heads of different widths are not supported');
  if (number('rope.dimension_count', headDimension) !== headDimension)
    refuse(
      'rope.dimension_count',
      'partial rotary embedding is not supported (it must equal the head width)',
    );
  if (metadataValue(metadata, `${architecture}.attention.scale`) !== undefined)
    refuse('attention.scale', 'a custom attention scale is not supported');
  const scaling = metadataValue(metadata, `${architecture}.rope.scaling.type`);
  if (scaling !== undefined && scaling !== 'none' && scaling !== 'linear')
    refuse(
      'rope.scaling.type',
      `RoPE scaling "${String(scaling)}" is not supported (none, linear, or Llama 3 rope_freqs)`,
    );
  const scaleFactor = metadataValue(metadata, `${architecture}.rope.scaling.factor`);
  const config: LlamaConfig = {
    architecture,
    vocabSize: number('vocab_size', Array.isArray(tokens) ? tokens.length : undefined),
    contextLength: number('context_length'),
    embeddingLength,
    blockCount: number('block_count'),
    headCount,
    headCountKv: number('attention.head_count_kv', headCount),
    feedForwardLength: number('feed_forward_length'),
    rmsNormEpsilon: number('attention.layer_norm_rms_epsilon', 1e-5),
    ropeFreqBase: number('rope.freq_base', 10000),
    tiedOutput: !tensorNames.has('output.weight'),
  };
  if (headDimension !== embeddingLength / headCount) config.headDimension = headDimension;
  if (typeof scaleFactor === 'number' && scaleFactor !== 0 && scaleFactor !== 1)
    config.ropeFreqScale = 1 / scaleFactor;
  if (tensorNames.has('blk.0.attn_q.bias')) config.attentionBias = true;
  return config;
}

/** Every `tokenizer.ggml.*` key of a file, to carry it through a save. */
export function tokenizerMetadataOf(metadata: GgufMetadata): GgufMetadata {
  return new Map([...metadata].filter(([key]) => key.startsWith('tokenizer.ggml.')));
}

/** True when the file's tokenizer is medistill's own byte-level BPE (gpt2 with the gpt-2 pre-tokenizer). */
export function isOwnTokenizer(metadata: GgufMetadata): boolean {
  const pre = metadataValue(metadata, 'tokenizer.ggml.pre');
  return (
    metadataValue(metadata, 'tokenizer.ggml.model') === 'gpt2' &&
    (pre === undefined || pre === PRE_TOKENIZER_NAME || pre === 'default')
  );
}

function checkTensors(header: GgufHeader, expected: Map<string, number[]>, file: string): void {
  const byName = new Map(header.tensors.map((tensor) => [tensor.name, tensor]));
  for (const [name, shape] of expected) {
    const tensor = byName.get(name);
    if (!tensor) throw new ModelFormatError(`missing tensor ${name}`, { file });
    if (tensor.shape.join(',') !== shape.join(',')) {
      throw new ModelFormatError(`tensor ${name} has shape [${tensor.shape}], expected [${shape}]`, { file });
    }
  }
  for (const tensor of header.tensors) {
    if (!expected.has(tensor.name) && tensor.name !== ROPE_FREQS) {
      throw new ModelFormatError(
        `tensor ${tensor.name} is not computed by the embedded engine's ${String(metadataValue(header.metadata, 'general.architecture'))} network`,
        { file },
      );
    }
  }
}

/** Read a GGUF of a supported architecture: config, weights, tokenizer and chat template. */
export async function readLlamaModel(path: string): Promise<LlamaModel> {
  const header = await readGgufHeader(path);
  const names = new Set(header.tensors.map((tensor) => tensor.name));
  const config = llamaConfigFromMetadata(header.metadata, path, names);
  const expected = llamaTensorShapes(config);
  checkTensors(header, expected, path);
  const wanted = new Set(expected.keys());
  if (names.has(ROPE_FREQS)) wanted.add(ROPE_FREQS);
  const data = await readGgufTensors(path, header, wanted);
  if (names.has(ROPE_FREQS)) {
    const factors = data.get(ROPE_FREQS)!;
    if (factors.length !== headDimensionOf(config) / 2)
      throw new ModelFormatError(
        `tensor ${ROPE_FREQS} has ${factors.length} values, expected one per rotated pair`,
        { file: path },
      );
    config.ropeFrequencyFactors = Array.from(factors);
  }
  const weights: LlamaWeights = new Map();
  for (const [name, shape] of expected) weights.set(name, { shape, data: data.get(name)! });
  const template = metadataValue(header.metadata, 'tokenizer.chat_template');
  const general: Record<string, string> = {};
  for (const [key, entry] of header.metadata) {
    if (key.startsWith('general.') && typeof entry.value === 'string' && key !== 'general.architecture') {
      general[key.slice('general.'.length)] = entry.value;
    }
  }
  const model: LlamaModel = {
    config,
    weights,
    tokenizerMetadata: tokenizerMetadataOf(header.metadata),
    chatTemplate: typeof template === 'string' ? template : '',
    general,
  };
  if (isOwnTokenizer(header.metadata)) model.tokenizer = Tokenizer.fromGgufMetadata(header.metadata, path);
  return model;
}

/** Metadata llama.cpp needs to load a model of this config. */
export function llamaMetadata(model: Omit<LlamaModel, 'weights'>, storage: WeightStorageType): GgufMetadata {
  const { config } = model;
  const arch = config.architecture ?? 'llama';
  const metadata: GgufMetadata = new Map();
  metadata.set('general.architecture', gguf.string(arch));
  for (const [key, value] of Object.entries(model.general))
    metadata.set(`general.${key}`, gguf.string(value));
  // general.file_type: 0 = all F32, 1 = mostly F16 (llama_ftype).
  metadata.set('general.file_type', gguf.uint32(storage === 'f16' ? 1 : 0));
  const headDimension = headDimensionOf(config);
  metadata.set(`${arch}.vocab_size`, gguf.uint32(config.vocabSize));
  metadata.set(`${arch}.context_length`, gguf.uint32(config.contextLength));
  metadata.set(`${arch}.embedding_length`, gguf.uint32(config.embeddingLength));
  metadata.set(`${arch}.block_count`, gguf.uint32(config.blockCount));
  metadata.set(`${arch}.feed_forward_length`, gguf.uint32(config.feedForwardLength));
  metadata.set(`${arch}.attention.head_count`, gguf.uint32(config.headCount));
  metadata.set(`${arch}.attention.head_count_kv`, gguf.uint32(config.headCountKv));
  if (config.headDimension !== undefined) {
    metadata.set(`${arch}.attention.key_length`, gguf.uint32(headDimension));
    metadata.set(`${arch}.attention.value_length`, gguf.uint32(headDimension));
  }
  metadata.set(`${arch}.attention.layer_norm_rms_epsilon`, gguf.float32(config.rmsNormEpsilon));
  metadata.set(`${arch}.rope.freq_base`, gguf.float32(config.ropeFreqBase));
  metadata.set(`${arch}.rope.dimension_count`, gguf.uint32(headDimension));
  if (config.ropeFreqScale !== undefined) {
    metadata.set(`${arch}.rope.scaling.type`, gguf.string('linear'));
    metadata.set(`${arch}.rope.scaling.factor`, gguf.float32(1 / config.ropeFreqScale));
  }
  const tokenizer = model.tokenizer ? model.tokenizer.toGgufMetadata() : model.tokenizerMetadata;
  for (const [key, value] of tokenizer) metadata.set(key, value);
  if (model.chatTemplate) metadata.set('tokenizer.chat_template', gguf.string(model.chatTemplate));
  return metadata;
}

/** Write a model as GGUF (atomically). F16 storage keeps 1-D tensors (norms, biases) in F32, as llama.cpp's converters do. */
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
  const factors = model.config.ropeFrequencyFactors;
  if (factors)
    tensors.push({
      name: ROPE_FREQS,
      shape: [factors.length],
      data: Float32Array.from(factors),
      type: GgmlType.F32,
    });
  await writeGguf(path, llamaMetadata(model, storage), tensors);
}
