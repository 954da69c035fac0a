import { ConfigError } from '../errors.js';
import { GgmlType, type GgufMetadata, type GgufTensorToWrite, gguf } from '../gguf/gguf-types.js';
import { writeGguf } from '../gguf/write-gguf.js';
import { gaussian, seededRandom } from './random-weights.js';

/**
 * A tiny random-weight LLaVA-style vision projector (`clip.projector_type` = "mlp"), the
 * `--mmproj` file llama-server pairs with a text model. It makes images really flow through a
 * vision encoder in tests (image tokens in the prompt, outputs that depend on the pixels) without
 * any downloaded weights. Keys and tensor shapes are the ones llama.cpp's clip loader requires
 * (engine-notes.md, "A tiny vision-language model for tests").
 */
export interface VisionProjectorOptions {
  /** The text model's n_embd: the projector's output width must equal it or the server refuses to start. */
  textEmbeddingLength: number;
  /** Side of the square input image in pixels (default 32). */
  imageSize?: number;
  /** Side of a patch in pixels (default 8); each patch becomes one image token. */
  patchSize?: number;
  /** Width of the vision encoder (default 64). */
  embeddingLength?: number;
  /** Feed-forward width of the vision blocks (default 128). */
  feedForwardLength?: number;
  /** Vision blocks (default 2; the LLaVA graph runs all but the last, so at least 2). */
  blockCount?: number;
  headCount?: number;
  /** Hidden width of the two-layer projector (default: the text embedding length). */
  projectorHiddenLength?: number;
  seed?: number;
  name?: string;
  /**
   * Write the whole CLIP ViT layout: a pre-layernorm, two layer norms per block (weights 1, biases
   * 0) and zero biases on every projection, with GELU feed-forwards (`clip.use_gelu`). This is the
   * layout the embedded engine trains; without it the file has only the tensors llama.cpp requires.
   */
  complete?: boolean;
}

/** The projector's resolved shape, and what a caller needs to reason about prompts. */
export interface VisionProjectorConfig {
  imageSize: number;
  patchSize: number;
  embeddingLength: number;
  feedForwardLength: number;
  blockCount: number;
  headCount: number;
  projectorHiddenLength: number;
  textEmbeddingLength: number;
  /** (imageSize / patchSize)^2: how many prompt tokens one image costs. */
  imageTokens: number;
  /** Layer norms and biases present (see VisionProjectorOptions.complete). */
  complete: boolean;
}

/** Resolve defaults and check the shape before anything is written. */
export function visionProjectorConfig(options: VisionProjectorOptions): VisionProjectorConfig {
  const imageSize = options.imageSize ?? 32;
  const patchSize = options.patchSize ?? 8;
  const embeddingLength = options.embeddingLength ?? 64;
  const headCount = options.headCount ?? 4;
  const blockCount = options.blockCount ?? 2;
  const positive = {
    textEmbeddingLength: options.textEmbeddingLength,
    imageSize,
    patchSize,
    embeddingLength,
    headCount,
  };
  for (const [name, value] of Object.entries(positive)) {
    if (!Number.isInteger(value) || value < 1)
      throw new ConfigError(`vision projector ${name} must be a positive integer, got ${value}`);
  }
  if (imageSize % patchSize !== 0)
    throw new ConfigError(
      `vision projector image size ${imageSize} is not a multiple of patch size ${patchSize}`,
    );
  if (embeddingLength % headCount !== 0)
    throw new ConfigError(`vision projector width ${embeddingLength} is not divisible by ${headCount} heads`);
  if (!Number.isInteger(blockCount) || blockCount < 2)
    throw new ConfigError(
      `vision projector needs at least 2 blocks (the LLaVA graph skips the last), got ${blockCount}`,
    );
  const side = imageSize / patchSize;
  return {
    imageSize,
    patchSize,
    embeddingLength,
    feedForwardLength: options.feedForwardLength ?? 2 * embeddingLength,
    blockCount,
    headCount,
    projectorHiddenLength: options.projectorHiddenLength ?? options.textEmbeddingLength,
    textEmbeddingLength: options.textEmbeddingLength,
    imageTokens: side * side,
    complete: options.complete ?? false,
  };
}

/** The GGUF key/values of the projector file. */
export function visionProjectorMetadata(
  config: VisionProjectorConfig,
  name = 'medistill-tiny-vision',
): GgufMetadata {
  return new Map([
    ['general.architecture', gguf.string('clip')],
    ['general.name', gguf.string(name)],
    ['clip.has_vision_encoder', gguf.bool(true)],
    ['clip.projector_type', gguf.string('mlp')],
    ['clip.vision.image_size', gguf.uint32(config.imageSize)],
    ['clip.vision.patch_size', gguf.uint32(config.patchSize)],
    ['clip.vision.embedding_length', gguf.uint32(config.embeddingLength)],
    ['clip.vision.feed_forward_length', gguf.uint32(config.feedForwardLength)],
    ['clip.vision.block_count', gguf.uint32(config.blockCount)],
    ['clip.vision.attention.head_count', gguf.uint32(config.headCount)],
    ['clip.vision.projection_dim', gguf.uint32(config.textEmbeddingLength)],
    ['clip.vision.attention.layer_norm_epsilon', gguf.float32(1e-6)],
    // CLIP's normalisation constants; the loader refuses a file without them.
    ['clip.vision.image_mean', gguf.float32Array([0.48145466, 0.4578275, 0.40821073])],
    ['clip.vision.image_std', gguf.float32Array([0.26862954, 0.26130258, 0.27577711])],
    // Without it the clip loader uses GELU-quick in the encoder's feed-forwards.
    ...(config.complete ? ([['clip.use_gelu', gguf.bool(true)]] as const) : []),
  ]);
}

/** Tensor names and ggml-order shapes ([fastest, ...]) of the projector. */
export function visionProjectorShapes(config: VisionProjectorConfig): [string, number[]][] {
  const { patchSize: p, embeddingLength: e, feedForwardLength: ff, projectorHiddenLength: h } = config;
  const shapes: [string, number[]][] = [
    ['v.patch_embd.weight', [p, p, 3, e]],
    ['v.position_embd.weight', [e, config.imageTokens]],
  ];
  if (config.complete) shapes.push(['v.pre_ln.weight', [e]], ['v.pre_ln.bias', [e]]);
  for (let block = 0; block < config.blockCount; block++) {
    const prefix = `v.blk.${block}`;
    for (const part of ['attn_q', 'attn_k', 'attn_v', 'attn_out']) {
      shapes.push([`${prefix}.${part}.weight`, [e, e]]);
      if (config.complete) shapes.push([`${prefix}.${part}.bias`, [e]]);
    }
    shapes.push([`${prefix}.ffn_up.weight`, [e, ff]], [`${prefix}.ffn_down.weight`, [ff, e]]);
    if (config.complete) {
      shapes.push([`${prefix}.ffn_up.bias`, [ff]], [`${prefix}.ffn_down.bias`, [e]]);
      for (const norm of ['ln1', 'ln2'])
        shapes.push([`${prefix}.${norm}.weight`, [e]], [`${prefix}.${norm}.bias`, [e]]);
    }
  }
  shapes.push(
    ['mm.0.weight', [e, h]],
    ['mm.0.bias', [h]],
    ['mm.2.weight', [h, config.textEmbeddingLength]],
    ['mm.2.bias', [config.textEmbeddingLength]],
  );
  return shapes;
}

/**
 * Random weights scaled by 1/sqrt(fan-in), so every layer passes on signal of the same size and
 * the image tokens reach the text model neither vanished nor saturated: different pixels must
 * give different embeddings, or the tests could not tell an image from its absence.
 */
export function randomVisionProjectorTensors(config: VisionProjectorConfig, seed = 1): GgufTensorToWrite[] {
  const normal = gaussian(seededRandom(seed));
  return visionProjectorShapes(config).map(([name, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (isNormWeight(name)) data.fill(1);
    else if (!name.endsWith('.bias')) {
      const fanIn = name === 'v.position_embd.weight' ? 1 : size / shape[shape.length - 1]!;
      const std = name === 'v.position_embd.weight' ? 0.02 : 1 / Math.sqrt(fanIn);
      for (let index = 0; index < size; index++) data[index] = normal() * std;
    }
    return { name, shape, data, type: GgmlType.F32 };
  });
}

const isNormWeight = (name: string): boolean => /(?:pre_ln|ln1|ln2)\.weight$/.test(name);

/** Write a random projector GGUF (atomically) and return its resolved shape. */
export async function writeVisionProjectorFile(
  path: string,
  options: VisionProjectorOptions,
): Promise<{ path: string; config: VisionProjectorConfig }> {
  const config = visionProjectorConfig(options);
  await writeGguf(
    path,
    visionProjectorMetadata(config, options.name),
    randomVisionProjectorTensors(config, options.seed ?? 1),
  );
  return { path, config };
}
