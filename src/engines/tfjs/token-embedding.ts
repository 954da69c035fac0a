import * as tf from '@tensorflow/tfjs-core';

/** Rows of the [V, E] embedding table for token ids [N]. */
export function embeddingForward(table: tf.Tensor2D, tokens: tf.Tensor1D): tf.Tensor2D {
  return tf.gather(table, tokens);
}

/**
 * The lookup's gradient: each row's gradient added into its token's row. scatterND sums
 * duplicate indices; tfjs's own gather gradient needs UnsortedSegmentSum, which wasm lacks.
 */
export function embeddingBackward(
  outputGradient: tf.Tensor2D,
  tokens: tf.Tensor1D,
  vocabularySize: number,
): tf.Tensor2D {
  const indices = tf.reshape(tokens, [-1, 1]);
  return tf.scatterND(indices, outputGradient, [vocabularySize, outputGradient.shape[1]]) as tf.Tensor2D;
}
