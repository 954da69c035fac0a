import * as tf from '@tensorflow/tfjs-core';
import { nativeMatMulActive } from './native-kernels/use-native-kernels.js';

/** A low-rank update W + scale * A B on a frozen projection (A: [in, r], B: [r, out]). */
export interface LoraPair {
  a: tf.Tensor2D;
  b: tf.Tensor2D;
  /** alpha / rank, as llama.cpp applies it. */
  scale: number;
}

/** A projection stored [in, out]; `lora`, when present, is added to it. */
export interface LinearWeights {
  weight: tf.Tensor2D;
  lora?: LoraPair;
}

export interface LinearCache {
  input: tf.Tensor2D;
  /** x A, kept for B's gradient. */
  loraHidden?: tf.Tensor2D;
}

export interface LinearGradients {
  input: tf.Tensor2D;
  weight?: tf.Tensor2D;
  loraA?: tf.Tensor2D;
  loraB?: tf.Tensor2D;
}

/** y = x W (+ scale * (x A) B), as llama.cpp's build_lora_mm computes it. */
export function linearForward(
  input: tf.Tensor2D,
  weights: LinearWeights,
): { output: tf.Tensor2D; cache: LinearCache } {
  const base = tf.matMul(input, weights.weight) as tf.Tensor2D;
  if (!weights.lora) return { output: base, cache: { input } };
  const hidden = tf.matMul(input, weights.lora.a) as tf.Tensor2D;
  const update = tf.mul(tf.matMul(hidden, weights.lora.b), weights.lora.scale);
  return { output: tf.add(base, update) as tf.Tensor2D, cache: { input, loraHidden: hidden } };
}

/**
 * Gradients of {@link linearForward}. On wasm, every product is a plain matMul of explicitly
 * transposed operands: wasm's fast kernel is the untransposed one, and tfjs's own matMul gradient
 * uses flags. `transpose` lets projections that share an input (q/k/v, gate/up) share its
 * transpose. With native kernels the flags are free, so no transposed copy is made at all.
 */
export function linearBackward(
  outputGradient: tf.Tensor2D,
  cache: LinearCache,
  weights: LinearWeights,
  needWeightGradient: boolean,
  transpose: (tensor: tf.Tensor2D) => tf.Tensor2D = tf.transpose,
): LinearGradients {
  const native = nativeMatMulActive();
  // x^T y with x the (shared) layer input, and x y^T: flags natively, explicit transposes on wasm.
  const inputTransposed = (a: tf.Tensor2D, b: tf.Tensor2D) =>
    (native ? tf.matMul(a, b, true, false) : tf.matMul(transpose(a), b)) as tf.Tensor2D;
  const timesTransposed = (a: tf.Tensor2D, b: tf.Tensor2D) =>
    (native ? tf.matMul(a, b, false, true) : tf.matMul(a, tf.transpose(b))) as tf.Tensor2D;
  let input = timesTransposed(outputGradient, weights.weight);
  const gradients: LinearGradients = { input };
  if (needWeightGradient) gradients.weight = inputTransposed(cache.input, outputGradient);
  if (weights.lora && cache.loraHidden) {
    const { a, b, scale } = weights.lora;
    const hiddenGradient = tf.mul(timesTransposed(outputGradient, b), scale) as tf.Tensor2D;
    const hiddenTransposed = native
      ? tf.matMul(cache.loraHidden, outputGradient, true, false)
      : tf.matMul(tf.transpose(cache.loraHidden), outputGradient);
    gradients.loraB = tf.mul(hiddenTransposed, scale) as tf.Tensor2D;
    gradients.loraA = inputTransposed(cache.input, hiddenGradient);
    input = tf.add(input, timesTransposed(hiddenGradient, a)) as tf.Tensor2D;
    gradients.input = input;
  }
  return gradients;
}
