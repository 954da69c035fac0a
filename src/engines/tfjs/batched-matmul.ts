import * as tf from '@tensorflow/tfjs-core';
import { nativeMatMulActive } from './native-kernels/use-native-kernels.js';

/**
 * C[i] = op(A[i]) op(B[i]) for a batch of small matrices (attention's per-head products).
 *
 * wasm's BatchMatMul only takes its fast XNNPACK path for a single matrix; a batch runs a
 * generic loop at 1 to 2 GFLOP/s. A depthwise convolution computes the same sums through
 * XNNPACK at 3 to 6 GFLOP/s (measured): with the K dimension as the kernel height, every
 * channel i is one matrix and the channel multiplier is N, so channel i's outputs are A[i] B[i].
 * The transposes that build that layout also absorb `transposeA` / `transposeB` for free.
 * With native kernels active, BatchMatMul itself is fast (one native GEMM per matrix) and is used.
 *
 * @param a [n, M, K], or [n, K, M] with transposeA
 * @param b [n, K, N], or [n, N, K] with transposeB
 * @returns [n, M, N]
 */
export function batchedMatMul(
  a: tf.Tensor3D,
  b: tf.Tensor3D,
  options: { transposeA?: boolean; transposeB?: boolean } = {},
): tf.Tensor3D {
  if (nativeMatMulActive()) return tf.matMul(a, b, options.transposeA, options.transposeB);
  return tf.tidy(() => {
    const [count, m, k] = options.transposeA ? [a.shape[0], a.shape[2], a.shape[1]] : a.shape;
    const n = options.transposeB ? b.shape[1] : b.shape[2];
    // Input image [1, K, M, count]: pixel (k, m) of channel i is A[i][m][k].
    const input = tf.reshape(tf.transpose(a, options.transposeA ? [1, 2, 0] : [2, 1, 0]), [1, k, m, count]);
    // Filter [K, 1, count, N]: tap k of channel i, multiplier j, is B[i][k][j].
    const filter = tf.reshape(tf.transpose(b, options.transposeB ? [2, 0, 1] : [1, 0, 2]), [k, 1, count, n]);
    const output = tf.depthwiseConv2d(input as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid');
    // Output [1, 1, M, count * N] holds C[i][m][j] at (m, i * N + j).
    return tf.transpose(tf.reshape(output, [m, count, n]), [1, 0, 2]) as tf.Tensor3D;
  });
}
