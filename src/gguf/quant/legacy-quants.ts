/**
 * The 32-element block quants (ggml-common.h): each block is an F16 scale `d`, for the `_1` types
 * an F16 offset `m`, for the 5-bit types 32 high bits `qh`, then the packed quants. Element j of
 * the first half of a block sits in the low nibble of byte j, element j + 16 in its high nibble.
 * Arithmetic is F32 as in ggml's `dequantize_row_*`: every product and sum is rounded to F32
 * (Math.fround) before the next operation, which makes the result bit-exact.
 */
import { halfReader } from './float-types.js';

const BLOCK = 32;
const fround = Math.fround;

export function dequantizeQ4_0(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const half = halfReader(bytes);
  for (let block = 0, base = 0; base < count; block += 18, base += BLOCK) {
    const d = half(block);
    for (let j = 0; j < 16; j++) {
      const q = bytes[block + 2 + j]!;
      out[base + j] = ((q & 0x0f) - 8) * d;
      out[base + j + 16] = ((q >> 4) - 8) * d;
    }
  }
  return out;
}

export function dequantizeQ4_1(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const half = halfReader(bytes);
  for (let block = 0, base = 0; base < count; block += 20, base += BLOCK) {
    const d = half(block);
    const m = half(block + 2);
    for (let j = 0; j < 16; j++) {
      const q = bytes[block + 4 + j]!;
      out[base + j] = fround((q & 0x0f) * d) + m;
      out[base + j + 16] = fround((q >> 4) * d) + m;
    }
  }
  return out;
}

/** The 32 high bits of a 5-bit block, little-endian. */
function highBits(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>>
    0
  );
}

export function dequantizeQ5_0(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const half = halfReader(bytes);
  for (let block = 0, base = 0; base < count; block += 22, base += BLOCK) {
    const d = half(block);
    const qh = highBits(bytes, block + 2);
    for (let j = 0; j < 16; j++) {
      const q = bytes[block + 6 + j]!;
      const high0 = ((qh >>> j) << 4) & 0x10;
      const high1 = (qh >>> (j + 12)) & 0x10;
      out[base + j] = (((q & 0x0f) | high0) - 16) * d;
      out[base + j + 16] = (((q >> 4) | high1) - 16) * d;
    }
  }
  return out;
}

export function dequantizeQ5_1(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const half = halfReader(bytes);
  for (let block = 0, base = 0; base < count; block += 24, base += BLOCK) {
    const d = half(block);
    const m = half(block + 2);
    const qh = highBits(bytes, block + 4);
    for (let j = 0; j < 16; j++) {
      const q = bytes[block + 8 + j]!;
      const high0 = ((qh >>> j) << 4) & 0x10;
      const high1 = (qh >>> (j + 12)) & 0x10;
      out[base + j] = fround(((q & 0x0f) | high0) * d) + m;
      out[base + j + 16] = fround(((q >> 4) | high1) * d) + m;
    }
  }
  return out;
}

export function dequantizeQ8_0(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  const half = halfReader(bytes);
  const signed = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let block = 0, base = 0; base < count; block += 34, base += BLOCK) {
    const d = half(block);
    for (let j = 0; j < BLOCK; j++) out[base + j] = signed[block + 2 + j]! * d;
  }
  return out;
}
