import * as tf from '@tensorflow/tfjs-core';
import {
  type AttentionCache,
  type AttentionShape,
  attentionBackward,
  attentionForward,
} from './causal-attention.js';
import { type LinearCache, type LinearWeights, linearBackward, linearForward } from './linear.js';
import { type RmsNormCache, rmsNormBackward, rmsNormForward } from './rms-norm.js';
import { type RotaryTables, rotaryBackward, rotaryForward } from './rotary-embedding.js';
import { type SwigluCache, swigluBackward, swigluForward } from './swiglu.js';

/** The projections of one block, by their GGUF suffix. */
export const BLOCK_PROJECTIONS = [
  'attn_q',
  'attn_k',
  'attn_v',
  'attn_output',
  'ffn_gate',
  'ffn_up',
  'ffn_down',
] as const;
export type BlockProjection = (typeof BLOCK_PROJECTIONS)[number];

export interface BlockWeights {
  attentionNorm: tf.Tensor1D;
  feedForwardNorm: tf.Tensor1D;
  projections: Record<BlockProjection, LinearWeights>;
}

export interface BlockContext {
  shape: AttentionShape;
  epsilon: number;
  rotary: RotaryTables;
  mask: tf.Tensor2D;
}

export interface BlockCache {
  attentionNorm: RmsNormCache;
  linear: Record<BlockProjection, LinearCache>;
  attention: AttentionCache;
  feedForwardNorm: RmsNormCache;
  swiglu: SwigluCache;
}

/** Gradients by GGUF suffix (`attn_norm`, `attn_q`, `attn_q.lora_a`, ...), for trainable tensors only. */
export type BlockGradients = Map<string, tf.Tensor>;

/** One LLM_ARCH_LLAMA block: x + attn(norm(x)), then h + ffn(norm(h)). Rows are [B*T, E]. */
export function blockForward(
  input: tf.Tensor2D,
  weights: BlockWeights,
  context: BlockContext,
): { output: tf.Tensor2D; cache: BlockCache } {
  const { shape } = context;
  const p = weights.projections;
  const attentionNorm = rmsNormForward(input, weights.attentionNorm, context.epsilon);
  const q = linearForward(attentionNorm.output, p.attn_q);
  const k = linearForward(attentionNorm.output, p.attn_k);
  const v = linearForward(attentionNorm.output, p.attn_v);
  const queries = rotaryForward(q.output, context.rotary, shape.batch, shape.length, shape.heads);
  const keys = rotaryForward(k.output, context.rotary, shape.batch, shape.length, shape.kvHeads);
  const attention = attentionForward(queries, keys, v.output, context.mask, shape);
  const o = linearForward(attention.output, p.attn_output);
  const afterAttention = tf.add(input, o.output) as tf.Tensor2D;
  const feedForwardNorm = rmsNormForward(afterAttention, weights.feedForwardNorm, context.epsilon);
  const gate = linearForward(feedForwardNorm.output, p.ffn_gate);
  const up = linearForward(feedForwardNorm.output, p.ffn_up);
  const swiglu = swigluForward(gate.output, up.output);
  const down = linearForward(swiglu.output, p.ffn_down);
  return {
    output: tf.add(afterAttention, down.output) as tf.Tensor2D,
    cache: {
      attentionNorm: attentionNorm.cache,
      linear: {
        attn_q: q.cache,
        attn_k: k.cache,
        attn_v: v.cache,
        attn_output: o.cache,
        ffn_gate: gate.cache,
        ffn_up: up.cache,
        ffn_down: down.cache,
      },
      attention: attention.cache,
      feedForwardNorm: feedForwardNorm.cache,
      swiglu: swiglu.cache,
    },
  };
}

/**
 * Backward through one block. `trainBase` says whether the base tensors (projections and norms)
 * get gradients; LoRA factors get theirs whenever present.
 */
export function blockBackward(
  outputGradient: tf.Tensor2D,
  cache: BlockCache,
  weights: BlockWeights,
  context: BlockContext,
  trainBase: boolean,
): { input: tf.Tensor2D; gradients: BlockGradients } {
  const { shape } = context;
  const p = weights.projections;
  const gradients: BlockGradients = new Map();
  const transposes = new Map<tf.Tensor, tf.Tensor2D>();
  const transpose = (tensor: tf.Tensor2D): tf.Tensor2D => {
    let transposed = transposes.get(tensor);
    if (!transposed) {
      transposed = tf.transpose(tensor);
      transposes.set(tensor, transposed);
    }
    return transposed;
  };
  const linear = (name: BlockProjection, dy: tf.Tensor2D): tf.Tensor2D => {
    const result = linearBackward(dy, cache.linear[name], p[name], trainBase, transpose);
    if (result.weight) gradients.set(name, result.weight);
    if (result.loraA) gradients.set(`${name}.lora_a`, result.loraA);
    if (result.loraB) gradients.set(`${name}.lora_b`, result.loraB);
    return result.input;
  };
  // Feed-forward half: the residual passes dy straight through.
  const swigluInput = linear('ffn_down', outputGradient);
  const swiglu = swigluBackward(swigluInput, cache.swiglu);
  const normalizedFeedForward = tf.add(
    linear('ffn_gate', swiglu.gate),
    linear('ffn_up', swiglu.up),
  ) as tf.Tensor2D;
  const feedForwardNorm = rmsNormBackward(
    normalizedFeedForward,
    cache.feedForwardNorm,
    weights.feedForwardNorm,
    trainBase,
  );
  if (feedForwardNorm.weight) gradients.set('ffn_norm', feedForwardNorm.weight);
  const afterAttention = tf.add(outputGradient, feedForwardNorm.input) as tf.Tensor2D;
  // Attention half.
  const attentionOutput = linear('attn_output', afterAttention);
  const attention = attentionBackward(attentionOutput, cache.attention, shape);
  const q = rotaryBackward(attention.queries, context.rotary, shape.batch, shape.length, shape.heads);
  const k = rotaryBackward(attention.keys, context.rotary, shape.batch, shape.length, shape.kvHeads);
  const normalizedAttention = tf.addN([
    linear('attn_q', q),
    linear('attn_k', k),
    linear('attn_v', attention.values),
  ]) as tf.Tensor2D;
  const attentionNorm = rmsNormBackward(
    normalizedAttention,
    cache.attentionNorm,
    weights.attentionNorm,
    trainBase,
  );
  if (attentionNorm.weight) gradients.set('attn_norm', attentionNorm.weight);
  return { input: tf.add(afterAttention, attentionNorm.input) as tf.Tensor2D, gradients };
}
