import * as tf from '@tensorflow/tfjs-core';

export interface LayerNormCache {
  normalized: tf.Tensor2D;
  inverseStd: tf.Tensor2D;
}

/**
 * ggml_norm (subtract the row mean, divide by sqrt(variance + eps)) then the optional gain and
 * bias, as clip's build_norm applies them; absent weights are simply skipped, as there.
 */
export function layerNormForward(
  input: tf.Tensor2D,
  weight: tf.Tensor1D | undefined,
  bias: tf.Tensor1D | undefined,
  epsilon: number,
): { output: tf.Tensor2D; cache: LayerNormCache } {
  const centered = tf.sub(input, tf.mean(input, -1, true));
  const inverseStd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), epsilon)) as tf.Tensor2D;
  const normalized = tf.mul(centered, inverseStd) as tf.Tensor2D;
  let output = normalized;
  if (weight) output = tf.mul(output, weight);
  if (bias) output = tf.add(output, bias);
  return { output, cache: { normalized, inverseStd } };
}

/** dx = r (g - mean(g) - x̂ mean(g x̂)) with g = dy w; dw = Σ dy x̂, db = Σ dy over rows. */
export function layerNormBackward(
  outputGradient: tf.Tensor2D,
  cache: LayerNormCache,
  weight: tf.Tensor1D | undefined,
): { input: tf.Tensor2D; weight: tf.Tensor1D; bias: tf.Tensor1D } {
  const { normalized, inverseStd } = cache;
  const g = weight ? (tf.mul(outputGradient, weight) as tf.Tensor2D) : outputGradient;
  const input = tf.mul(
    tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(normalized, tf.mean(tf.mul(g, normalized), -1, true))),
    inverseStd,
  ) as tf.Tensor2D;
  return {
    input,
    weight: tf.sum(tf.mul(outputGradient, normalized), 0) as tf.Tensor1D,
    bias: tf.sum(outputGradient, 0) as tf.Tensor1D,
  };
}
