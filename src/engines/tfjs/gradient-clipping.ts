import * as tf from '@tensorflow/tfjs-core';

/**
 * Scale all gradients together so their global L2 norm is at most `maxNorm` (replacing the
 * tensors in the map). Returns the norm before clipping. `maxNorm` <= 0 disables clipping.
 */
export function clipGradientsByGlobalNorm(gradients: Map<string, tf.Tensor>, maxNorm: number): number {
  const squared = tf.tidy(() =>
    tf.addN([...gradients.values()].map((gradient) => tf.sum(tf.square(gradient)))),
  );
  const norm = Math.sqrt(squared.dataSync()[0]!);
  squared.dispose();
  if (!Number.isFinite(norm) || maxNorm <= 0 || norm <= maxNorm) return norm;
  const scale = maxNorm / (norm + 1e-6);
  for (const [name, gradient] of gradients) {
    gradients.set(name, tf.mul(gradient, scale));
    gradient.dispose();
  }
  return norm;
}
