import * as tf from '@tensorflow/tfjs-core';

/** Per-length tables for rotary position embedding; built once per sequence length. */
export interface RotaryTables {
  /** [T, 1, D]: cos of each pair's angle, repeated for both members of the pair. */
  cos: tf.Tensor3D;
  sin: tf.Tensor3D;
  /** [D, D]: x R = (-x1, x0, -x3, x2, ...), the pairwise quarter turn. */
  rotation: tf.Tensor2D;
  rotationTransposed: tf.Tensor2D;
}

/**
 * Angles as ggml's CPU rope computes them for rope type NORM (llama): theta starts at the
 * position and is multiplied by base^(-2/D) once per pair, in float32 arithmetic, so the tables
 * match llama.cpp's to the last bit rather than to a closed form's rounding.
 */
export function rotaryAngles(
  length: number,
  headDimension: number,
  base: number,
): { cos: Float32Array; sin: Float32Array } {
  const thetaScale = Math.fround(Math.fround(base) ** Math.fround(-2 / headDimension));
  const cos = new Float32Array(length * headDimension);
  const sin = new Float32Array(length * headDimension);
  for (let position = 0; position < length; position++) {
    let theta = Math.fround(position);
    for (let i = 0; i < headDimension; i += 2) {
      const c = Math.fround(Math.cos(theta));
      const s = Math.fround(Math.sin(theta));
      const offset = position * headDimension + i;
      cos[offset] = c;
      cos[offset + 1] = c;
      sin[offset] = s;
      sin[offset + 1] = s;
      theta = Math.fround(theta * thetaScale);
    }
  }
  return { cos, sin };
}

export function createRotaryTables(length: number, headDimension: number, base: number): RotaryTables {
  const { cos, sin } = rotaryAngles(length, headDimension, base);
  const rotation = new Float32Array(headDimension * headDimension);
  for (let i = 0; i < headDimension; i += 2) {
    // Row = input index, column = output index: out[i] = -x[i+1], out[i+1] = x[i].
    rotation[(i + 1) * headDimension + i] = -1;
    rotation[i * headDimension + i + 1] = 1;
  }
  const rotationTensor = tf.tensor2d(rotation, [headDimension, headDimension]);
  return {
    cos: tf.tensor3d(cos, [length, 1, headDimension]),
    sin: tf.tensor3d(sin, [length, 1, headDimension]),
    rotation: rotationTensor,
    rotationTransposed: tf.transpose(rotationTensor),
  };
}

export function disposeRotaryTables(tables: RotaryTables): void {
  tf.dispose([tables.cos, tables.sin, tables.rotation, tables.rotationTransposed]);
}

/** Rotate adjacent pairs (x[2i], x[2i+1]) of every head: y = x cos + (x R) sin. Input [B*T, H*D]. */
export function rotaryForward(
  input: tf.Tensor2D,
  tables: RotaryTables,
  batch: number,
  length: number,
  heads: number,
): tf.Tensor2D {
  const headDimension = tables.rotation.shape[0];
  const x = tf.reshape(input, [batch, length, heads, headDimension]);
  const turned = tf.reshape(tf.matMul(tf.reshape(input, [-1, headDimension]), tables.rotation), x.shape);
  return tf.reshape(tf.add(tf.mul(x, tables.cos), tf.mul(turned, tables.sin)), input.shape) as tf.Tensor2D;
}

/** The rotation is orthogonal, so its gradient rotates back: dx = dy cos + (dy sin) R^T. */
export function rotaryBackward(
  outputGradient: tf.Tensor2D,
  tables: RotaryTables,
  batch: number,
  length: number,
  heads: number,
): tf.Tensor2D {
  const headDimension = tables.rotation.shape[0];
  const dy = tf.reshape(outputGradient, [batch, length, heads, headDimension]);
  const scaled = tf.reshape(tf.mul(dy, tables.sin), [-1, headDimension]);
  const back = tf.reshape(tf.matMul(scaled, tables.rotationTransposed), dy.shape);
  return tf.reshape(tf.add(tf.mul(dy, tables.cos), back), outputGradient.shape) as tf.Tensor2D;
}
