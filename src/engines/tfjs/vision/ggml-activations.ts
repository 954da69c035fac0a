import * as tf from '@tensorflow/tfjs-core';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../gguf/half-precision.js';
import type { EncoderActivation } from './projector-file.js';

/**
 * ggml's CPU GELU and GELU-quick on float32 are table lookups in half precision
 * (GGML_GELU_FP16 and GGML_GELU_QUICK_FP16 in ggml-cpu/vec.h): the input is rounded to float16,
 * the activation of that float16 value is looked up, and the table holds it rounded to float16.
 * GELU also passes x through for x >= 10 and gives 0 for x <= -10. The forward pass here
 * reproduces those values bit for bit, so the encoder matches llama.cpp's clip graph; the
 * backward pass uses the exact derivative of the smooth function (the rounding has none).
 */

const SQRT_2_OVER_PI = Math.fround(0.7978845608028654);
const GELU_COEF_A = Math.fround(0.044715);
const GELU_QUICK_COEF = Math.fround(-1.702);

/** Round every value to the nearest float16 (ties to even), as ggml's converter does. */
export function roundToHalf(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float16BitsToFloat32(float32ToFloat16Bits(values[i]!));
  return out;
}

/** A tensor rounded to float16 values (kept in float32). */
export function roundTensorToHalf<T extends tf.Tensor>(tensor: T): T {
  return tf.tensor(roundToHalf(tensor.dataSync() as Float32Array), tensor.shape) as T;
}

const f = Math.fround;
const geluF32 = (x: number): number =>
  f(f(0.5 * x) * f(1 + Math.tanh(f(f(SQRT_2_OVER_PI * x) * f(1 + f(f(GELU_COEF_A * x) * x))))));
const geluQuickF32 = (x: number): number => f(x * f(1 / f(1 + Math.exp(f(GELU_QUICK_COEF * x)))));

/** The two 65,536-entry tables ggml builds at start-up (float16 bits in, float16 value out). */
let tables: { gelu: Float32Array; quick: Float32Array } | undefined;
function halfTables(): { gelu: Float32Array; quick: Float32Array } {
  if (tables) return tables;
  const gelu = new Float32Array(65536);
  const quick = new Float32Array(65536);
  for (let bits = 0; bits < 65536; bits++) {
    const x = float16BitsToFloat32(bits);
    gelu[bits] = float16BitsToFloat32(float32ToFloat16Bits(geluF32(x)));
    quick[bits] = float16BitsToFloat32(float32ToFloat16Bits(geluQuickF32(x)));
  }
  tables = { gelu, quick };
  return tables;
}

/** ggml_gelu / ggml_gelu_quick on float32 values, as the CPU backend computes them. */
export function ggmlActivationValues(values: Float32Array, kind: EncoderActivation): Float32Array {
  const table = kind === 'gelu' ? halfTables().gelu : halfTables().quick;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (kind === 'gelu' && x <= -10) out[i] = 0;
    else if (kind === 'gelu' && x >= 10) out[i] = x;
    else out[i] = table[float32ToFloat16Bits(x)]!;
  }
  return out;
}

/**
 * The activation of `input`: ggml's half-precision tables by default, or with `smooth` the exact
 * function (for finite-difference gradient checks, which the rounding's steps would defeat).
 */
export function activationForward(input: tf.Tensor2D, kind: EncoderActivation, smooth = false): tf.Tensor2D {
  if (!smooth) return tf.tensor2d(ggmlActivationValues(input.dataSync() as Float32Array, kind), input.shape);
  return tf.tidy(() => {
    if (kind === 'gelu_quick') return tf.mul(input, tf.sigmoid(tf.mul(input, 1.702))) as tf.Tensor2D;
    const inner = tf.mul(tf.mul(input, tf.add(1, tf.mul(tf.square(input), 0.044715))), 0.7978845608028654);
    return tf.mul(tf.mul(input, 0.5), tf.add(1, tf.tanh(inner))) as tf.Tensor2D;
  });
}

/** d/dx of the smooth activation at the cached input, times the output gradient. */
export function activationBackward(
  outputGradient: tf.Tensor2D,
  input: tf.Tensor2D,
  kind: EncoderActivation,
): tf.Tensor2D {
  return tf.tidy(() => {
    if (kind === 'gelu_quick') {
      // x sigmoid(a x): sigmoid(a x) + a x sigmoid(a x) (1 - sigmoid(a x)), a = 1.702.
      const s = tf.sigmoid(tf.mul(input, 1.702));
      const derivative = tf.add(s, tf.mul(tf.mul(input, 1.702), tf.mul(s, tf.sub(1, s))));
      return tf.mul(outputGradient, derivative) as tf.Tensor2D;
    }
    // 0.5 x (1 + tanh(u)), u = c (x + a x^3): 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) c (1 + 3 a x^2).
    const c = 0.7978845608028654;
    const a = 0.044715;
    const square = tf.square(input);
    const t = tf.tanh(tf.mul(tf.mul(input, tf.add(1, tf.mul(square, a))), c));
    const derivative = tf.add(
      tf.mul(0.5, tf.add(1, t)),
      tf.mul(
        tf.mul(tf.mul(0.5, input), tf.sub(1, tf.square(t))),
        tf.mul(c, tf.add(1, tf.mul(square, 3 * a))),
      ),
    );
    return tf.mul(outputGradient, derivative) as tf.Tensor2D;
  });
}
