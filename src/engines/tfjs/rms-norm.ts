import * as tf from '@tensorflow/tfjs-core';

export interface RmsNormCache {
  normalized: tf.Tensor2D;
  inverseRms: tf.Tensor2D;
}

/** llama.cpp's ggml_rms_norm then a multiply by the norm weight: x / sqrt(mean(x^2) + eps) * w. */
export function rmsNormForward(
  input: tf.Tensor2D,
  weight: tf.Tensor1D,
  epsilon: number,
): { output: tf.Tensor2D; cache: RmsNormCache } {
  const inverseRms = tf.rsqrt(tf.add(tf.mean(tf.square(input), -1, true), epsilon)) as tf.Tensor2D;
  const normalized = tf.mul(input, inverseRms) as tf.Tensor2D;
  return { output: tf.mul(normalized, weight) as tf.Tensor2D, cache: { normalized, inverseRms } };
}

/** dx = r (g - x̂ mean(g x̂)) with g = dy w and x̂ the normalized input; dw = sum over rows of dy x̂. */
export function rmsNormBackward(
  outputGradient: tf.Tensor2D,
  cache: RmsNormCache,
  weight: tf.Tensor1D,
  needWeightGradient: boolean,
): { input: tf.Tensor2D; weight?: tf.Tensor1D } {
  const { normalized, inverseRms } = cache;
  const normalizedGradient = tf.mul(outputGradient, weight) as tf.Tensor2D;
  const projection = tf.mean(tf.mul(normalizedGradient, normalized), -1, true);
  const input = tf.mul(tf.sub(normalizedGradient, tf.mul(normalized, projection)), inverseRms) as tf.Tensor2D;
  if (!needWeightGradient) return { input };
  return { input, weight: tf.sum(tf.mul(outputGradient, normalized), 0) as tf.Tensor1D };
}
