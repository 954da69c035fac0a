import * as tf from '@tensorflow/tfjs-core';

/** Per-length tables for rotary position embedding; built once per sequence length. */
export interface RotaryTables {
  /** [T, 1, D]: cos of each pair's angle, repeated for both members of the pair. */
  cos: tf.Tensor3D;
  sin: tf.Tensor3D;
  /** [D, D]: the pairwise quarter turn, x R = (-x1, x0, -x3, x2, ...) for NORM. */
  rotation: tf.Tensor2D;
  rotationTransposed: tf.Tensor2D;
}

/** How llama.cpp rotates: its rope type, base, linear scale and Llama 3 per-pair factors. */
export interface RotarySettings {
  base: number;
  /** 'norm' rotates adjacent pairs (x[2i], x[2i+1]); 'neox' rotates halves (x[i], x[i+D/2]). */
  type?: 'norm' | 'neox';
  /** llama.cpp's freq_scale (1 / linear scaling factor); default 1. */
  freqScale?: number;
  /** `rope_freqs.weight`: pair i's angle is divided by factors[i] (Llama 3.x). */
  factors?: readonly number[];
}

/**
 * Angles as ggml's CPU rope computes them (ggml_rope_cache_init, rope_yarn without YaRN): theta
 * starts at the position and is multiplied by base^(-2/D) once per pair, divided by the pair's
 * frequency factor and multiplied by freq_scale, in float32 arithmetic, so the tables match
 * llama.cpp's to the last bit rather than to a closed form's rounding. Pair i's cos/sin sit at
 * [2i, 2i+1] for NORM and at [i, i+D/2] for NEOX, beside the values they rotate.
 */
export function rotaryAngles(
  length: number,
  headDimension: number,
  settings: RotarySettings,
): { cos: Float32Array; sin: Float32Array } {
  const thetaScale = Math.fround(Math.fround(settings.base) ** Math.fround(-2 / headDimension));
  const freqScale = Math.fround(settings.freqScale ?? 1);
  const neox = settings.type === 'neox';
  const half = headDimension / 2;
  const cos = new Float32Array(length * headDimension);
  const sin = new Float32Array(length * headDimension);
  for (let position = 0; position < length; position++) {
    let theta = Math.fround(position);
    for (let pair = 0; pair < half; pair++) {
      const factor = Math.fround(settings.factors?.[pair] ?? 1);
      const angle = Math.fround(freqScale * Math.fround(theta / factor));
      const c = Math.fround(Math.cos(angle));
      const s = Math.fround(Math.sin(angle));
      const first = position * headDimension + (neox ? pair : 2 * pair);
      const second = neox ? first + half : first + 1;
      cos[first] = c;
      cos[second] = c;
      sin[first] = s;
      sin[second] = s;
      theta = Math.fround(theta * thetaScale);
    }
  }
  return { cos, sin };
}

export function createRotaryTables(
  length: number,
  headDimension: number,
  settings: RotarySettings,
): RotaryTables {
  const { cos, sin } = rotaryAngles(length, headDimension, settings);
  const rotation = new Float32Array(headDimension * headDimension);
  const half = headDimension / 2;
  for (let pair = 0; pair < half; pair++) {
    // Row = input index, column = output index: out[a] = -x[b], out[b] = x[a] for each pair (a, b).
    const a = settings.type === 'neox' ? pair : 2 * pair;
    const b = settings.type === 'neox' ? pair + half : 2 * pair + 1;
    rotation[b * headDimension + a] = -1;
    rotation[a * headDimension + b] = 1;
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

/** Rotate the pairs of every head: y = x cos + (x R) sin. Input [B*T, H*D]. */
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
