import * as tf from '@tensorflow/tfjs-core';
import { batchedMatMul } from './batched-matmul.js';

export interface AttentionShape {
  batch: number;
  length: number;
  heads: number;
  kvHeads: number;
  headDimension: number;
}

export interface AttentionCache {
  /** [B*H, T, D] */
  queries: tf.Tensor3D;
  /** [B*H, T, D], key/value heads already repeated for their query group. */
  keys: tf.Tensor3D;
  values: tf.Tensor3D;
  /** [B*H, T, T] */
  probabilities: tf.Tensor3D;
}

/** [B*T, n*D] rows to [B*n, T, D] heads. */
function toHeads(rows: tf.Tensor2D, shape: AttentionShape, count: number): tf.Tensor3D {
  const { batch, length, headDimension } = shape;
  const split = tf.reshape(rows, [batch, length, count, headDimension]);
  return tf.reshape(tf.transpose(split, [0, 2, 1, 3]), [batch * count, length, headDimension]);
}

function fromHeads(heads: tf.Tensor3D, shape: AttentionShape, count: number): tf.Tensor2D {
  const { batch, length, headDimension } = shape;
  const split = tf.reshape(heads, [batch, count, length, headDimension]);
  return tf.reshape(tf.transpose(split, [0, 2, 1, 3]), [batch * length, count * headDimension]);
}

/**
 * Grouped-query attention shares key/value head j among query heads j*G .. j*G+G-1 (G = H/Hkv),
 * the grouping ggml's broadcasting matmul applies.
 */
function repeatForGroups(heads: tf.Tensor3D, shape: AttentionShape): tf.Tensor3D {
  const group = shape.heads / shape.kvHeads;
  if (group === 1) return heads;
  const [, length, width] = heads.shape;
  const expanded = tf.reshape(heads, [shape.batch, shape.kvHeads, 1, length, width]);
  return tf.reshape(tf.tile(expanded, [1, 1, group, 1, 1]), [shape.batch * shape.heads, length, width]);
}

function sumOverGroups(heads: tf.Tensor3D, shape: AttentionShape): tf.Tensor3D {
  const group = shape.heads / shape.kvHeads;
  if (group === 1) return heads;
  const [, length, width] = heads.shape;
  const grouped = tf.reshape(heads, [shape.batch, shape.kvHeads, group, length, width]);
  return tf.reshape(tf.sum(grouped, 2), [shape.batch * shape.kvHeads, length, width]);
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, -Infinity above (as llama.cpp's KQ mask). */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let row = 0; row < length; row++) {
    for (let column = row + 1; column < length; column++)
      values[row * length + column] = Number.NEGATIVE_INFINITY;
  }
  return tf.tensor2d(values, [length, length]);
}

/**
 * softmax(Q K^T / sqrt(D) + mask) V over rows [B*T, H*D] (queries) and [B*T, Hkv*D] (keys,
 * values). Right padding needs no extra mask: real positions never attend to later pads.
 */
export function attentionForward(
  queryRows: tf.Tensor2D,
  keyRows: tf.Tensor2D,
  valueRows: tf.Tensor2D,
  mask: tf.Tensor2D,
  shape: AttentionShape,
): { output: tf.Tensor2D; cache: AttentionCache } {
  const queries = toHeads(queryRows, shape, shape.heads);
  const keys = repeatForGroups(toHeads(keyRows, shape, shape.kvHeads), shape);
  const values = repeatForGroups(toHeads(valueRows, shape, shape.kvHeads), shape);
  const scale = 1 / Math.sqrt(shape.headDimension);
  const scores = tf.add(
    tf.mul(batchedMatMul(queries, keys, { transposeB: true }), scale),
    mask,
  ) as tf.Tensor3D;
  const probabilities = tf.softmax(scores) as tf.Tensor3D;
  const output = fromHeads(batchedMatMul(probabilities, values), shape, shape.heads);
  return { output, cache: { queries, keys, values, probabilities } };
}

export function attentionBackward(
  outputGradient: tf.Tensor2D,
  cache: AttentionCache,
  shape: AttentionShape,
): { queries: tf.Tensor2D; keys: tf.Tensor2D; values: tf.Tensor2D } {
  const { queries, keys, values, probabilities } = cache;
  const scale = 1 / Math.sqrt(shape.headDimension);
  const outputHeads = toHeads(outputGradient, shape, shape.heads);
  const probabilityGradient = batchedMatMul(outputHeads, values, { transposeB: true });
  const valueGradient = batchedMatMul(probabilities, outputHeads, { transposeA: true });
  // Softmax: dS = P (dP - rowsum(dP P)), then the 1/sqrt(D) scale of the scores.
  const rowDot = tf.sum(tf.mul(probabilityGradient, probabilities), -1, true);
  const scoreGradient = tf.mul(
    tf.mul(probabilities, tf.sub(probabilityGradient, rowDot)),
    scale,
  ) as tf.Tensor3D;
  const queryGradient = batchedMatMul(scoreGradient, keys);
  const keyGradient = batchedMatMul(scoreGradient, queries, { transposeA: true });
  return {
    queries: fromHeads(queryGradient, shape, shape.heads),
    keys: fromHeads(sumOverGroups(keyGradient, shape), shape, shape.kvHeads),
    values: fromHeads(sumOverGroups(valueGradient, shape), shape, shape.kvHeads),
  };
}
