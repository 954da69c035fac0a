/**
 * The 256-element super-block quants (ggml-common.h, QK_K = 256). Q4_K and Q5_K hold an F16
 * super-scale `d` and super-min `dmin`, twelve bytes packing eight 6-bit scales and eight 6-bit
 * mins, then (Q5_K) 32 bytes of fifth bits and 128 bytes of nibbles. Q6_K holds 128 bytes of low
 * nibbles, 64 bytes of 2-bit highs, sixteen int8 scales and the F16 `d` last. Every F32 operation
 * of ggml's `dequantize_row_*` is rounded to F32 here in the same order, for bit-exact results.
 */
import { halfReader } from './float-types.js';

const SUPER_BLOCK = 256;
const fround = Math.fround;

/** The j-th 6-bit scale and min of a Q4_K/Q5_K super-block (ggml's get_scale_min_k4). */
function scaleAndMin(bytes: Uint8Array, scales: number, j: number): [number, number] {
  if (j < 4) return [bytes[scales + j]! & 63, bytes[scales + j + 4]! & 63];
  const scale = (bytes[scales + j + 4]! & 0x0f) | ((bytes[scales + j - 4]! >> 6) << 4);
  const min = (bytes[scales + j + 4]! >> 4) | ((bytes[scales + j]! >> 6) << 4);
  return [scale, min];
}

/** Q4_K and Q5_K share their layout but for Q5_K's 32 bytes of fifth bits before the nibbles. */
function dequantizeQ4Q5K(
  bytes: Uint8Array,
  count: number,
  blockBytes: number,
  fifthBit: boolean,
): Float32Array {
  const out = new Float32Array(count);
  const half = halfReader(bytes);
  for (let block = 0, y = 0; y < count; block += blockBytes) {
    const d = half(block);
    const dmin = half(block + 2);
    const scales = block + 4;
    const qh = block + 16;
    let qs = fifthBit ? block + 48 : block + 16;
    let low = 1;
    let high = 2;
    for (let group = 0; group < 8; group += 2) {
      const [scale1, min1] = scaleAndMin(bytes, scales, group);
      const [scale2, min2] = scaleAndMin(bytes, scales, group + 1);
      const d1 = fround(d * scale1);
      const m1 = fround(dmin * min1);
      const d2 = fround(d * scale2);
      const m2 = fround(dmin * min2);
      for (let l = 0; l < 32; l++) {
        const extra = fifthBit && bytes[qh + l]! & low ? 16 : 0;
        out[y++] = fround(d1 * ((bytes[qs + l]! & 0x0f) + extra)) - m1;
      }
      for (let l = 0; l < 32; l++) {
        const extra = fifthBit && bytes[qh + l]! & high ? 16 : 0;
        out[y++] = fround(d2 * ((bytes[qs + l]! >> 4) + extra)) - m2;
      }
      qs += 32;
      low <<= 2;
      high <<= 2;
    }
  }
  return out;
}

export function dequantizeQ4_K(bytes: Uint8Array, count: number): Float32Array {
  return dequantizeQ4Q5K(bytes, count, 144, false);
}

export function dequantizeQ5_K(bytes: Uint8Array, count: number): Float32Array {
  return dequantizeQ4Q5K(bytes, count, 176, true);
}

export function dequantizeQ6_K(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const half = halfReader(bytes);
  const signed = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let block = 0, base = 0; base < count; block += 210, base += SUPER_BLOCK) {
    const d = half(block + 208);
    for (let n = 0; n < 2; n++) {
      const ql = block + 64 * n;
      const qh = block + 128 + 32 * n;
      const sc = block + 192 + 8 * n;
      const y = base + 128 * n;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const high = bytes[qh + l]!;
        const q1 = ((bytes[ql + l]! & 0x0f) | ((high & 3) << 4)) - 32;
        const q2 = ((bytes[ql + l + 32]! & 0x0f) | (((high >> 2) & 3) << 4)) - 32;
        const q3 = ((bytes[ql + l]! >> 4) | (((high >> 4) & 3) << 4)) - 32;
        const q4 = ((bytes[ql + l + 32]! >> 4) | (((high >> 6) & 3) << 4)) - 32;
        out[y + l] = fround(d * signed[sc + is]!) * q1;
        out[y + l + 32] = fround(d * signed[sc + is + 2]!) * q2;
        out[y + l + 64] = fround(d * signed[sc + is + 4]!) * q3;
        out[y + l + 96] = fround(d * signed[sc + is + 6]!) * q4;
      }
    }
  }
  return out;
}
