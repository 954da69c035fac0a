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

/** The projections that may carry a bias (Qwen2's q/k/v). */
export const BIASED_PROJECTIONS = ['attn_q', 'attn_k', 'attn_v'] as const;
type BiasedProjection = (typeof BIASED_PROJECTIONS)[number];

export interface BlockWeights {
  attentionNorm: tf.Tensor1D;
  feedForwardNorm: tf.Tensor1D;
  projections: Record<BlockProjection, LinearWeights>;
  /** `blk.N.attn_{q,k,v}.bias`, added after the projection (and its LoRA update). */
  biases?: Record<BiasedProjection, tf.Tensor1D>;
  /** Qwen3's per-head RMS norm weights [D] for queries and keys, applied before RoPE. */
  headNorms?: { query: tf.Tensor1D; key: tf.Tensor1D };
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
  headNorms?: { query: RmsNormCache; key: RmsNormCache };
}

/**
 * Gradients by the tensor name after `blk.N.` (`attn_norm.weight`, `attn_q.weight`,
 * `attn_q.bias`, `attn_q.weight.lora_a`, ...), for trainable tensors only.
 */
export type BlockGradients = Map<string, tf.Tensor>;

/** Per-head RMS norm: rows [B*T, H*D] viewed as [B*T*H, D], each head normalised with the shared weight [D]. */
function headNormForward(rows: tf.Tensor2D, weight: tf.Tensor1D, epsilon: number) {
  const width = weight.shape[0];
  const norm = rmsNormForward(tf.reshape(rows, [-1, width]), weight, epsilon);
  return { output: tf.reshape(norm.output, rows.shape) as tf.Tensor2D, cache: norm.cache };
}

/**
 * One block as llama.cpp builds LLM_ARCH_LLAMA, QWEN2 and QWEN3: x + attn(norm(x)), then
 * h + ffn(norm(h)); q/k/v biases when present, and for Qwen3 an RMS norm per query and key head
 * before RoPE. Rows are [B*T, E].
 */
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
  const biased = (output: tf.Tensor2D, name: BiasedProjection): tf.Tensor2D =>
    weights.biases ? (tf.add(output, weights.biases[name]) as tf.Tensor2D) : output;
  let queryRows = biased(q.output, 'attn_q');
  let keyRows = biased(k.output, 'attn_k');
  let headNorms: BlockCache['headNorms'];
  if (weights.headNorms) {
    const query = headNormForward(queryRows, weights.headNorms.query, context.epsilon);
    const key = headNormForward(keyRows, weights.headNorms.key, context.epsilon);
    queryRows = query.output;
    keyRows = key.output;
    headNorms = { query: query.cache, key: key.cache };
  }
  const queries = rotaryForward(queryRows, context.rotary, shape.batch, shape.length, shape.heads);
  const keys = rotaryForward(keyRows, context.rotary, shape.batch, shape.length, shape.kvHeads);
  const attention = attentionForward(queries, keys, biased(v.output, 'attn_v'), context.mask, shape);
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
      ...(headNorms ? { headNorms } : {}),
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
    if (result.weight) gradients.set(`${name}.weight`, result.weight);
    if (result.loraA) gradients.set(`${name}.weight.lora_a`, result.loraA);
    if (result.loraB) gradients.set(`${name}.weight.lora_b`, result.loraB);
    return result.input;
  };
  // A bias's gradient is its output gradient summed over rows; it is trained with the base.
  const bias = (name: BiasedProjection, dy: tf.Tensor2D): void => {
    if (weights.biases && trainBase) gradients.set(`${name}.bias`, tf.sum(dy, 0));
  };
  const headNorm = (
    dy: tf.Tensor2D,
    normCache: RmsNormCache | undefined,
    weight: tf.Tensor1D | undefined,
    name: string,
  ): tf.Tensor2D => {
    if (!normCache || !weight) return dy;
    const width = weight.shape[0];
    const result = rmsNormBackward(tf.reshape(dy, [-1, width]), normCache, weight, trainBase);
    if (result.weight) gradients.set(name, result.weight);
    return tf.reshape(result.input, dy.shape) as tf.Tensor2D;
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
  if (feedForwardNorm.weight) gradients.set('ffn_norm.weight', feedForwardNorm.weight);
  const afterAttention = tf.add(outputGradient, feedForwardNorm.input) as tf.Tensor2D;
  // Attention half.
  const attentionOutput = linear('attn_output', afterAttention);
  const attention = attentionBackward(attentionOutput, cache.attention, shape);
  const q = headNorm(
    rotaryBackward(attention.queries, context.rotary, shape.batch, shape.length, shape.heads),
    cache.headNorms?.query,
    weights.headNorms?.query,
    'attn_q_norm.weight',
  );
  const k = headNorm(
    rotaryBackward(attention.keys, context.rotary, shape.batch, shape.length, shape.kvHeads),
    cache.headNorms?.key,
    weights.headNorms?.key,
    'attn_k_norm.weight',
  );
  bias('attn_q', q);
  bias('attn_k', k);
  bias('attn_v', attention.values);
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
  if (attentionNorm.weight) gradients.set('attn_norm.weight', attentionNorm.weight);
  return { input: tf.add(afterAttention, attentionNorm.input) as tf.Tensor2D, gradients };
}
