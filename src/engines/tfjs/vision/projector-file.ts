import { ModelFormatError } from '../../../errors.js';
import { GgmlType, type GgufHeader, type GgufMetadata, metadataValue } from '../../../gguf/gguf-types.js';
import { readGgufHeader, readGgufTensors } from '../../../gguf/read-gguf.js';
import { writeGguf } from '../../../gguf/write-gguf.js';
import type { LlamaWeights } from '../../../model/llama-config.js';
import type { VisionProjectorConfig } from '../../../model/vision-projector.js';

/** Which activation the encoder's feed-forwards use (llama.cpp: `clip.use_gelu`, else GELU-quick). */
export type EncoderActivation = 'gelu' | 'gelu_quick';

/** The shape of a LLaVA-style (`mlp`) image encoder and projector, as llama.cpp's clip loader reads it. */
export interface ImageEncoderConfig
  extends Pick<
    VisionProjectorConfig,
    | 'imageSize'
    | 'patchSize'
    | 'embeddingLength'
    | 'feedForwardLength'
    | 'blockCount'
    | 'headCount'
    | 'imageTokens'
  > {
  layerNormEpsilon: number;
  imageMean: [number, number, number];
  imageStd: [number, number, number];
  activation: EncoderActivation;
  /** Width the projector writes into the text model. */
  projectionLength: number;
}

/** An mmproj file in memory: its config, its tensors (ggml order) and its metadata (kept for writing). */
export interface ProjectorModel {
  config: ImageEncoderConfig;
  weights: LlamaWeights;
  metadata: GgufMetadata;
}

/**
 * Tensors this engine knows; anything else (a class embedding, feature-layer stacks, Yi-style
 * `mm.1`/`mm.3`, a second patch kernel) changes llama.cpp's graph and is refused.
 */
function knownTensor(name: string): boolean {
  return /^(?:v\.patch_embd\.(?:weight|bias)|v\.position_embd\.weight|v\.(?:pre|post)_ln\.(?:weight|bias)|v\.blk\.\d+\.(?:attn_[qkv]|attn_out|ffn_up|ffn_down|ln1|ln2)\.(?:weight|bias)|mm\.[02]\.(?:weight|bias))$/.test(
    name,
  );
}

const REQUIRED = ['v.patch_embd.weight', 'v.position_embd.weight', 'mm.0.weight', 'mm.0.bias'];

/** Read an mmproj GGUF the embedded engine can train (projector type `mlp`, no class embedding). */
export async function readProjectorModel(path: string): Promise<ProjectorModel> {
  const { config, header } = await readProjectorHeader(path);
  const data = await readGgufTensors(path, header);
  const weights: LlamaWeights = new Map();
  for (const tensor of header.tensors)
    weights.set(tensor.name, { shape: tensor.shape, data: data.get(tensor.name)! });
  return { config, weights, metadata: header.metadata };
}

/** The encoder's config from an mmproj's header (no tensor data read), checked as trainable. */
export async function readProjectorConfig(path: string): Promise<ImageEncoderConfig> {
  return (await readProjectorHeader(path)).config;
}

async function readProjectorHeader(
  path: string,
): Promise<{ config: ImageEncoderConfig; header: GgufHeader }> {
  const header = await readGgufHeader(path);
  const { metadata } = header;
  const fail = (message: string, field?: string): never => {
    throw new ModelFormatError(message, { file: path, ...(field ? { field } : {}) });
  };
  const number = (key: string): number => {
    const value = metadataValue(metadata, key);
    return typeof value === 'number' ? value : fail(`missing or non-numeric ${key}`, key);
  };
  const triple = (key: string): [number, number, number] => {
    const value = metadataValue(metadata, key);
    if (!Array.isArray(value) || value.length < 3 || value.some((entry) => typeof entry !== 'number'))
      return fail(`${key} must be an array of 3 numbers`, key);
    return [value[0] as number, value[1] as number, value[2] as number];
  };
  if (metadataValue(metadata, 'general.architecture') !== 'clip')
    fail('not an mmproj file (general.architecture is not "clip")', 'general.architecture');
  const projectorType = metadataValue(metadata, 'clip.projector_type');
  if (projectorType !== 'mlp')
    fail(
      `projector type "${String(projectorType)}" is not trainable here (only "mlp")`,
      'clip.projector_type',
    );
  if (metadataValue(metadata, 'clip.use_silu') === true)
    fail('SiLU encoders are not implemented for training', 'clip.use_silu');
  if (metadataValue(metadata, 'clip.vision.feature_layer') !== undefined)
    fail('feature-layer stacks are not implemented for training', 'clip.vision.feature_layer');
  if (metadataValue(metadata, 'clip.vision.image_grid_pinpoints') !== undefined)
    fail(
      'tiled (LLaVA-1.6) preprocessing is not implemented for training',
      'clip.vision.image_grid_pinpoints',
    );
  const imageSize = number('clip.vision.image_size');
  const patchSize = number('clip.vision.patch_size');
  if (imageSize % patchSize !== 0)
    fail(`image size ${imageSize} is not a multiple of patch size ${patchSize}`);
  const side = imageSize / patchSize;
  const config: ImageEncoderConfig = {
    imageSize,
    patchSize,
    embeddingLength: number('clip.vision.embedding_length'),
    feedForwardLength: number('clip.vision.feed_forward_length'),
    blockCount: number('clip.vision.block_count'),
    headCount: number('clip.vision.attention.head_count'),
    layerNormEpsilon: number('clip.vision.attention.layer_norm_epsilon'),
    imageMean: triple('clip.vision.image_mean'),
    imageStd: triple('clip.vision.image_std'),
    activation: metadataValue(metadata, 'clip.use_gelu') === true ? 'gelu' : 'gelu_quick',
    projectionLength: 0,
    imageTokens: side * side,
  };
  if (config.blockCount < 2) fail('the LLaVA graph runs block_count - 1 blocks: at least 2 are needed');
  const shapes = new Map(header.tensors.map((tensor) => [tensor.name, tensor.shape]));
  for (const name of REQUIRED) if (!shapes.has(name)) fail(`tensor ${name} is missing`, name);
  const unknown = header.tensors.find((tensor) => !knownTensor(tensor.name));
  if (unknown)
    fail(`tensor ${unknown.name} is not part of the LLaVA mlp graph this engine trains`, unknown.name);
  config.projectionLength = (shapes.get('mm.2.weight') ?? shapes.get('mm.0.weight')!)[1]!;
  const patch = shapes.get('v.patch_embd.weight')!;
  const expectedPatch = [patchSize, patchSize, 3, config.embeddingLength];
  if (patch.join(',') !== expectedPatch.join(','))
    fail(`v.patch_embd.weight is [${patch}], expected [${expectedPatch}]`, 'v.patch_embd.weight');
  const positions = shapes.get('v.position_embd.weight')!;
  if (positions[1] !== config.imageTokens)
    fail(`v.position_embd.weight has ${positions[1]} positions, expected ${config.imageTokens}`);
  return { config, header };
}

/** Write an mmproj GGUF (atomically) with the same metadata and new tensor values, all F32. */
export async function writeProjectorModel(path: string, model: ProjectorModel): Promise<void> {
  await writeGguf(
    path,
    model.metadata,
    [...model.weights].map(([name, tensor]) => ({
      name,
      shape: tensor.shape,
      data: tensor.data,
      type: GgmlType.F32,
    })),
  );
}
