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

/** Unpack the eight 6-bit scales and eight 6-bit mins of a Q4_K/Q5_K super-block (ggml's get_scale_min_k4). */
function unpackScalesAndMins(bytes: Uint8Array, offset: number, scales: Uint8Array, mins: Uint8Array): void {
  for (let j = 0; j < 4; j++) {
    scales[j] = bytes[offset + j]! & 63;
    mins[j] = bytes[offset + j + 4]! & 63;
  }
  for (let j = 4; j < 8; j++) {
    scales[j] = (bytes[offset + j + 4]! & 0x0f) | ((bytes[offset + j - 4]! >> 6) << 4);
    mins[j] = (bytes[offset + j + 4]! >> 4) | ((bytes[offset + j]! >> 6) << 4);
  }
}

/**
 * Q4_K and Q5_K share their layout but for Q5_K's 32 bytes of fifth bits before the nibbles
 * (`fifthBits` 0 for Q4_K). Per 64 values: d1 = d * scale, m1 = dmin * min, y = d1 * q - m1.
 */
function dequantizeQ4Q5K(
  bytes: Uint8Array,
  count: number,
  blockBytes: number,
  fifthBits: boolean,
): Float32Array {
  const out = new Float32Array(count);
  const half = halfReader(bytes);
  const scales = new Uint8Array(8);
  const mins = new Uint8Array(8);
  for (let block = 0, y = 0; y < count; block += blockBytes) {
    const d = half(block);
    const dmin = half(block + 2);
    unpackScalesAndMins(bytes, block + 4, scales, mins);
    const qh = block + 16;
    let qs = fifthBits ? block + 48 : block + 16;
    for (let group = 0; group < 8; group += 2) {
      const d1 = fround(d * scales[group]!);
      const m1 = fround(dmin * mins[group]!);
      const d2 = fround(d * scales[group + 1]!);
      const m2 = fround(dmin * mins[group + 1]!);
      if (fifthBits) {
        const low = 1 << group;
        const high = 2 << group;
        for (let l = 0; l < 32; l++)
          out[y + l] = fround(d1 * ((bytes[qs + l]! & 0x0f) + (bytes[qh + l]! & low ? 16 : 0))) - m1;
        for (let l = 0; l < 32; l++)
          out[y + 32 + l] = fround(d2 * ((bytes[qs + l]! >> 4) + (bytes[qh + l]! & high ? 16 : 0))) - m2;
      } else {
        for (let l = 0; l < 32; l++) out[y + l] = fround(d1 * (bytes[qs + l]! & 0x0f)) - m1;
        for (let l = 0; l < 32; l++) out[y + 32 + l] = fround(d2 * (bytes[qs + l]! >> 4)) - m2;
      }
      y += 64;
      qs += 32;
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
