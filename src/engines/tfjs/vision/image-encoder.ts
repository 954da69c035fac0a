import * as tf from '@tensorflow/tfjs-core';
import { type LinearCache, type LinearWeights, linearBackward, linearForward } from '../linear.js';
import type { ParameterMap } from '../parameter-layout.js';
import {
  ENCODER_PROJECTIONS,
  type EncoderBlockCache,
  type EncoderBlockContext,
  type EncoderBlockWeights,
  encoderBlockBackward,
  encoderBlockForward,
} from './encoder-block.js';
import { activationBackward, activationForward, roundTensorToHalf, roundToHalf } from './ggml-activations.js';
import { type LayerNormCache, layerNormBackward, layerNormForward } from './layer-norm.js';
import type { ImageEncoderConfig } from './projector-file.js';

/** What of the encoder and projector receives gradients. */
export type EncoderTrainingMode = 'frozen' | 'projector' | 'full' | 'lora';

interface EncoderCache {
  patches: tf.Tensor2D;
  preNorm?: LayerNormCache;
  blocks: EncoderBlockCache[];
  postNorm?: LayerNormCache;
  /** Set once the projector has run. */
  projector0?: LinearCache;
  projectorHidden?: tf.Tensor2D;
  projector2?: LinearCache;
  context: EncoderBlockContext;
}

/**
 * A LLaVA `mlp` image encoder and projector computed as llama.cpp's clip graph computes them
 * (tools/mtmd/models/llava.cpp): a patch convolution whose im2col is float16 (ggml_conv_2d), so
 * pixels and kernel are rounded to float16 before an f32-accumulated product; plus the patch bias
 * and position embeddings; the optional pre-layernorm; blocks 0 .. block_count-2 (the graph stops
 * before the last block); the optional post-layernorm; then mm.0, GELU, mm.2. Tensors are read
 * from `parameters` on every call, so optimizer updates are seen.
 */
export class ImageEncoder {
  private readonly mask: tf.Tensor2D;

  /**
   * @param smooth compute in plain float32 with exact activations instead of reproducing ggml's
   *   float16 roundings: for finite-difference gradient checks only
   */
  constructor(
    readonly config: ImageEncoderConfig,
    readonly parameters: ParameterMap,
    readonly loraScale = 1,
    readonly smooth = false,
  ) {
    this.mask = tf.zeros([config.imageTokens, config.imageTokens]);
  }

  /** Blocks the LLaVA graph runs: all but the last. */
  get activeBlocks(): number {
    return this.config.blockCount - 1;
  }

  private optional<T extends tf.Tensor>(name: string): T | undefined {
    return this.parameters.get(name) as T | undefined;
  }

  private linear(name: string): LinearWeights {
    const weight = this.parameters.get(name) as tf.Tensor2D | undefined;
    if (!weight) throw new Error(`parameter ${name} is missing`);
    const a = this.optional<tf.Tensor2D>(`${name}.lora_a`);
    const b = this.optional<tf.Tensor2D>(`${name}.lora_b`);
    return a && b ? { weight, lora: { a, b, scale: this.loraScale } } : { weight };
  }

  private blockWeights(block: number): EncoderBlockWeights {
    const prefix = `v.blk.${block}`;
    const weights: EncoderBlockWeights = {
      projections: Object.fromEntries(
        ENCODER_PROJECTIONS.map((name) => [name, this.linear(`${prefix}.${name}.weight`)]),
      ) as EncoderBlockWeights['projections'],
      biases: {},
      norms: {},
    };
    for (const name of ENCODER_PROJECTIONS) {
      const bias = this.optional<tf.Tensor1D>(`${prefix}.${name}.bias`);
      if (bias) weights.biases[name] = bias;
    }
    for (const norm of ['ln1', 'ln2'] as const) {
      const weight = this.optional<tf.Tensor1D>(`${prefix}.${norm}.weight`);
      const bias = this.optional<tf.Tensor1D>(`${prefix}.${norm}.bias`);
      weights.norms[norm] = { ...(weight ? { weight } : {}), ...(bias ? { bias } : {}) };
    }
    return weights;
  }

  /**
   * Patch rows [n*N, 3*P*P] from planar images [n, 3, S, S], each row ordered (channel, y, x) as
   * the ggml kernel [P, P, 3, E] is, patches in row-major order; rounded to float16 like im2col.
   */
  private patchRows(pixels: Float32Array, count: number): tf.Tensor2D {
    const { imageSize: size, patchSize: p } = this.config;
    const side = size / p;
    const width = 3 * p * p;
    const rows = new Float32Array(count * side * side * width);
    let offset = 0;
    for (let image = 0; image < count; image++) {
      for (let py = 0; py < side; py++) {
        for (let px = 0; px < side; px++) {
          for (let c = 0; c < 3; c++) {
            for (let y = 0; y < p; y++) {
              const source = ((image * 3 + c) * size + py * p + y) * size + px * p;
              rows.set(pixels.subarray(source, source + p), offset);
              offset += p;
            }
          }
        }
      }
    }
    return tf.tensor2d(this.smooth ? rows : roundToHalf(rows), [count * side * side, width]);
  }

  private forwardWithCache(
    pixels: Float32Array,
    count: number,
  ): { output: tf.Tensor2D; cache: EncoderCache } {
    const { config } = this;
    const tokens = config.imageTokens;
    const context: EncoderBlockContext = {
      shape: {
        batch: count,
        length: tokens,
        heads: config.headCount,
        kvHeads: config.headCount,
        headDimension: config.embeddingLength / config.headCount,
      },
      mask: this.mask,
      epsilon: config.layerNormEpsilon,
      activation: config.activation,
      smooth: this.smooth,
    };
    const patches = this.patchRows(pixels, count);
    const weight = this.parameters.get('v.patch_embd.weight') as tf.Tensor2D;
    const kernel = this.smooth ? weight : roundTensorToHalf(weight);
    let hidden = tf.matMul(patches, kernel) as tf.Tensor2D;
    const patchBias = this.optional<tf.Tensor1D>('v.patch_embd.bias');
    if (patchBias) hidden = tf.add(hidden, patchBias);
    const positions = this.parameters.get('v.position_embd.weight') as tf.Tensor2D;
    hidden = tf.reshape(tf.add(tf.reshape(hidden, [count, tokens, -1]), positions), [count * tokens, -1]);
    const cache: EncoderCache = { patches, blocks: [], context };
    const preWeight = this.optional<tf.Tensor1D>('v.pre_ln.weight');
    const preBias = this.optional<tf.Tensor1D>('v.pre_ln.bias');
    if (preWeight || preBias) {
      const norm = layerNormForward(hidden, preWeight, preBias, config.layerNormEpsilon);
      hidden = norm.output;
      cache.preNorm = norm.cache;
    }
    for (let block = 0; block < this.activeBlocks; block++) {
      const result = encoderBlockForward(hidden, this.blockWeights(block), context);
      cache.blocks.push(result.cache);
      hidden = result.output;
    }
    const postWeight = this.optional<tf.Tensor1D>('v.post_ln.weight');
    const postBias = this.optional<tf.Tensor1D>('v.post_ln.bias');
    if (postWeight || postBias) {
      const norm = layerNormForward(hidden, postWeight, postBias, config.layerNormEpsilon);
      hidden = norm.output;
      cache.postNorm = norm.cache;
    }
    const first = linearForward(hidden, this.linear('mm.0.weight'));
    const projectorHidden = tf.add(first.output, this.parameters.get('mm.0.bias')!) as tf.Tensor2D;
    cache.projector0 = first.cache;
    cache.projectorHidden = projectorHidden;
    let output = activationForward(projectorHidden, 'gelu', this.smooth);
    if (this.parameters.has('mm.2.weight')) {
      const second = linearForward(output, this.linear('mm.2.weight'));
      output = tf.add(second.output, this.parameters.get('mm.2.bias')!) as tf.Tensor2D;
      cache.projector2 = second.cache;
    }
    return { output, cache };
  }

  /** Image embeddings [n*N, projection] for n planar images [n, 3, S, S] (normalised pixels). */
  embed(pixels: Float32Array, count: number): tf.Tensor2D {
    return tf.tidy(() => this.forwardWithCache(pixels, count).output);
  }

  /**
   * Embeddings and a function giving parameter gradients from the embeddings' gradient. Call
   * inside a tidy; both run in the caller's scope.
   */
  forward(
    pixels: Float32Array,
    count: number,
  ): {
    output: tf.Tensor2D;
    backward: (gradient: tf.Tensor2D, mode: EncoderTrainingMode) => Map<string, tf.Tensor>;
  } {
    const { output, cache } = this.forwardWithCache(pixels, count);
    return { output, backward: (gradient, mode) => this.backward(gradient, cache, mode) };
  }

  private backward(outputGradient: tf.Tensor2D, cache: EncoderCache, mode: EncoderTrainingMode) {
    const gradients = new Map<string, tf.Tensor>();
    if (mode === 'frozen') return gradients;
    const trainBase = mode !== 'lora';
    const linear = (gradient: tf.Tensor2D, name: string, linearCache: LinearCache): tf.Tensor2D => {
      const result = linearBackward(gradient, linearCache, this.linear(name), trainBase);
      if (result.weight) gradients.set(name, result.weight);
      if (result.loraA) gradients.set(`${name}.lora_a`, result.loraA);
      if (result.loraB) gradients.set(`${name}.lora_b`, result.loraB);
      return result.input;
    };
    let gradient = outputGradient;
    if (cache.projector2) {
      if (trainBase) gradients.set('mm.2.bias', tf.sum(gradient, 0));
      gradient = linear(gradient, 'mm.2.weight', cache.projector2);
    }
    gradient = activationBackward(gradient, cache.projectorHidden!, 'gelu');
    if (trainBase) gradients.set('mm.0.bias', tf.sum(gradient, 0));
    gradient = linear(gradient, 'mm.0.weight', cache.projector0!);
    if (mode === 'projector') return gradients;
    const norm = (name: string, normCache: LayerNormCache): void => {
      const weight = this.optional<tf.Tensor1D>(`${name}.weight`);
      const result = layerNormBackward(gradient, normCache, weight);
      if (trainBase && weight) gradients.set(`${name}.weight`, result.weight);
      if (trainBase && this.parameters.has(`${name}.bias`)) gradients.set(`${name}.bias`, result.bias);
      gradient = result.input;
    };
    if (cache.postNorm) norm('v.post_ln', cache.postNorm);
    for (let block = this.activeBlocks - 1; block >= 0; block--) {
      const result = encoderBlockBackward(
        gradient,
        cache.blocks[block]!,
        this.blockWeights(block),
        cache.context,
        trainBase,
      );
      for (const [suffix, value] of result.gradients) gradients.set(`v.blk.${block}.${suffix}`, value);
      gradient = result.input;
    }
    if (cache.preNorm) norm('v.pre_ln', cache.preNorm);
    if (!trainBase) return gradients;
    const count = gradient.shape[0] / this.config.imageTokens;
    gradients.set(
      'v.position_embd.weight',
      tf.sum(tf.reshape(gradient, [count, this.config.imageTokens, -1]), 0),
    );
    if (this.parameters.has('v.patch_embd.bias')) gradients.set('v.patch_embd.bias', tf.sum(gradient, 0));
    gradients.set('v.patch_embd.weight', tf.matMul(tf.transpose(cache.patches), gradient));
    return gradients;
  }

  dispose(): void {
    this.mask.dispose();
  }
}
