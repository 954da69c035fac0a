import * as tf from '@tensorflow/tfjs-core';

export interface SwigluCache {
  gate: tf.Tensor2D;
  up: tf.Tensor2D;
  sigmoid: tf.Tensor2D;
}

/** silu(gate) * up, the gating between ffn_gate/ffn_up and ffn_down (llama.cpp's LLM_FFN_SILU + LLM_FFN_PAR). */
export function swigluForward(
  gate: tf.Tensor2D,
  up: tf.Tensor2D,
): { output: tf.Tensor2D; cache: SwigluCache } {
  const sigmoid = tf.sigmoid(gate);
  return { output: tf.mul(tf.mul(gate, sigmoid), up) as tf.Tensor2D, cache: { gate, up, sigmoid } };
}

/** d silu(g)/dg = s (1 + g (1 - s)) with s = sigmoid(g). */
export function swigluBackward(
  outputGradient: tf.Tensor2D,
  cache: SwigluCache,
): { gate: tf.Tensor2D; up: tf.Tensor2D } {
  const { gate, up, sigmoid } = cache;
  const silu = tf.mul(gate, sigmoid);
  const siluSlope = tf.mul(sigmoid, tf.add(1, tf.mul(gate, tf.sub(1, sigmoid))));
  return {
    gate: tf.mul(tf.mul(outputGradient, up), siluSlope) as tf.Tensor2D,
    up: tf.mul(outputGradient, silu) as tf.Tensor2D,
  };
}
