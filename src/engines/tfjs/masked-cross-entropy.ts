import * as tf from '@tensorflow/tfjs-core';

const MINIMUM_PROBABILITY = 1e-30;

/**
 * Cross-entropy over the rows that carry loss (answer tokens), weighted so the result is the
 * mean over them. The caller passes only those rows, so prompt and pad positions contribute
 * neither loss nor gradient. Returns the loss (summed weighted negative log-likelihood) and
 * dLoss/dLogits.
 */
export function maskedCrossEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  weights: tf.Tensor1D,
): { loss: tf.Scalar; logitsGradient: tf.Tensor2D } {
  const vocabularySize = logits.shape[1];
  // wasm's Softmax kernel is several times faster than its elementwise Exp, so the loss comes from
  // the target probabilities; the floor only matters below e^-69, where the loss is huge anyway.
  const probabilities = tf.softmax(logits);
  // wasm's OneHot writes integer bits into float outputs, so build it as int32 and cast.
  const oneHot = tf.cast(tf.oneHot(targets, vocabularySize), 'float32');
  const targetProbabilities = tf.maximum(tf.sum(tf.mul(probabilities, oneHot), -1), MINIMUM_PROBABILITY);
  const loss = tf.neg(tf.sum(tf.mul(tf.log(targetProbabilities), weights))) as tf.Scalar;
  const logitsGradient = tf.mul(tf.sub(probabilities, oneHot), tf.reshape(weights, [-1, 1])) as tf.Tensor2D;
  return { loss, logitsGradient };
}
