import * as tf from '@tensorflow/tfjs-core';
import {
  type AttentionCache,
  type AttentionShape,
  attentionBackward,
  attentionForward,
} from '../causal-attention.js';
import { type LinearCache, type LinearWeights, linearBackward, linearForward } from '../linear.js';
import { activationBackward, activationForward } from './ggml-activations.js';
import { type LayerNormCache, layerNormBackward, layerNormForward } from './layer-norm.js';
import type { EncoderActivation } from './projector-file.js';

export const ENCODER_PROJECTIONS = ['attn_q', 'attn_k', 'attn_v', 'attn_out', 'ffn_up', 'ffn_down'] as const;
export type EncoderProjection = (typeof ENCODER_PROJECTIONS)[number];

/** One ViT block's tensors; norms and biases are optional, as llama.cpp's clip loader treats them. */
export interface EncoderBlockWeights {
  projections: Record<EncoderProjection, LinearWeights>;
  biases: Partial<Record<EncoderProjection, tf.Tensor1D>>;
  norms: Partial<Record<'ln1' | 'ln2', { weight?: tf.Tensor1D; bias?: tf.Tensor1D }>>;
}

export interface EncoderBlockContext {
  /** Images as the attention batch, patches as its length; no mask: every patch sees every patch. */
  shape: AttentionShape;
  /** All-zero [N, N] additive mask. */
  mask: tf.Tensor2D;
  epsilon: number;
  activation: EncoderActivation;
  /** Exact activations instead of ggml's half-precision tables (gradient checks). */
  smooth: boolean;
}

export interface EncoderBlockCache {
  norm1: LayerNormCache;
  norm2: LayerNormCache;
  linear: Record<EncoderProjection, LinearCache>;
  attention: AttentionCache;
  upOutput: tf.Tensor2D;
}

function project(input: tf.Tensor2D, weights: EncoderBlockWeights, name: EncoderProjection) {
  const { output, cache } = linearForward(input, weights.projections[name]);
  const bias = weights.biases[name];
  return { output: bias ? (tf.add(output, bias) as tf.Tensor2D) : output, cache };
}

/** The LLaVA graph's pre-norm block: x + attn(ln1(x)), then + ffn(ln2(.)), rows [n*N, E]. */
export function encoderBlockForward(
  input: tf.Tensor2D,
  weights: EncoderBlockWeights,
  context: EncoderBlockContext,
): { output: tf.Tensor2D; cache: EncoderBlockCache } {
  const norm1 = layerNormForward(input, weights.norms.ln1?.weight, weights.norms.ln1?.bias, context.epsilon);
  const q = project(norm1.output, weights, 'attn_q');
  const k = project(norm1.output, weights, 'attn_k');
  const v = project(norm1.output, weights, 'attn_v');
  const attention = attentionForward(q.output, k.output, v.output, context.mask, context.shape);
  const out = project(attention.output, weights, 'attn_out');
  const middle = tf.add(input, out.output) as tf.Tensor2D;
  const norm2 = layerNormForward(middle, weights.norms.ln2?.weight, weights.norms.ln2?.bias, context.epsilon);
  const up = project(norm2.output, weights, 'ffn_up');
  const down = project(activationForward(up.output, context.activation, context.smooth), weights, 'ffn_down');
  return {
    output: tf.add(middle, down.output) as tf.Tensor2D,
    cache: {
      norm1: norm1.cache,
      norm2: norm2.cache,
      linear: {
        attn_q: q.cache,
        attn_k: k.cache,
        attn_v: v.cache,
        attn_out: out.cache,
        ffn_up: up.cache,
        ffn_down: down.cache,
      },
      attention: attention.cache,
      upOutput: up.output,
    },
  };
}

/**
 * Gradients of {@link encoderBlockForward}, keyed by tensor suffix (`attn_q.weight`,
 * `ln1.bias`, `ffn_up.weight.lora_a`, ...). `trainBase` false: only LoRA factors get gradients.
 */
export function encoderBlockBackward(
  outputGradient: tf.Tensor2D,
  cache: EncoderBlockCache,
  weights: EncoderBlockWeights,
  context: EncoderBlockContext,
  trainBase: boolean,
): { input: tf.Tensor2D; gradients: Map<string, tf.Tensor> } {
  const gradients = new Map<string, tf.Tensor>();
  const linear = (gradient: tf.Tensor2D, name: EncoderProjection): tf.Tensor2D => {
    const result = linearBackward(gradient, cache.linear[name], weights.projections[name], trainBase);
    if (result.weight) gradients.set(`${name}.weight`, result.weight);
    if (result.loraA) gradients.set(`${name}.weight.lora_a`, result.loraA);
    if (result.loraB) gradients.set(`${name}.weight.lora_b`, result.loraB);
    if (trainBase && weights.biases[name]) gradients.set(`${name}.bias`, tf.sum(gradient, 0));
    return result.input;
  };
  const norm = (gradient: tf.Tensor2D, name: 'ln1' | 'ln2', normCache: LayerNormCache): tf.Tensor2D => {
    const parts = weights.norms[name];
    const result = layerNormBackward(gradient, normCache, parts?.weight);
    if (trainBase && parts?.weight) gradients.set(`${name}.weight`, result.weight);
    if (trainBase && parts?.bias) gradients.set(`${name}.bias`, result.bias);
    return result.input;
  };
  const activated = linear(outputGradient, 'ffn_down');
  const upGradient = activationBackward(activated, cache.upOutput, context.activation);
  const middle = tf.add(
    outputGradient,
    norm(linear(upGradient, 'ffn_up'), 'ln2', cache.norm2),
  ) as tf.Tensor2D;
  const attentionGradient = attentionBackward(linear(middle, 'attn_out'), cache.attention, context.shape);
  const normalized = tf.addN([
    linear(attentionGradient.queries, 'attn_q'),
    linear(attentionGradient.keys, 'attn_k'),
    linear(attentionGradient.values, 'attn_v'),
  ]) as tf.Tensor2D;
  return { input: tf.add(middle, norm(normalized, 'ln1', cache.norm1)) as tf.Tensor2D, gradients };
}
