import { GgmlType } from '../gguf/gguf-types.js';
import { dequantizeBF16, dequantizeF16, dequantizeF32 } from '../gguf/quant/float-types.js';
import { encodeFloat32 } from '../gguf/write-gguf.js';
import type { SafetensorsDtype } from './safetensors.js';

/** The output element types of a conversion, as llama.cpp's converters name them (`--outtype`). */
export const OUT_TYPES = ['f32', 'f16', 'bf16'] as const;
export type OutType = (typeof OUT_TYPES)[number];

export type FloatType = GgmlType.F32 | GgmlType.F16 | GgmlType.BF16;

export const GGML_TYPE_OF_OUT_TYPE: Record<OutType, FloatType> = {
  f32: GgmlType.F32,
  f16: GgmlType.F16,
  bf16: GgmlType.BF16,
};

export const GGML_TYPE_OF_DTYPE: Record<SafetensorsDtype, FloatType> = {
  F32: GgmlType.F32,
  F16: GgmlType.F16,
  BF16: GgmlType.BF16,
};

export const DTYPE_OF_GGML_TYPE: Record<FloatType, SafetensorsDtype> = {
  [GgmlType.F32]: 'F32',
  [GgmlType.F16]: 'F16',
  [GgmlType.BF16]: 'BF16',
};

export const isFloatType = (type: number): type is FloatType =>
  type === GgmlType.F32 || type === GgmlType.F16 || type === GgmlType.BF16;

const byteView = (data: Uint8Array): Uint8Array => (data.byteOffset % 4 === 0 ? data : Uint8Array.from(data));

/** Widen F32, F16 or BF16 bytes to F32 values (exact). */
export function decodeFloats(bytes: Uint8Array, type: FloatType): Float32Array {
  const elementBytes = type === GgmlType.F32 ? 4 : 2;
  const count = bytes.length / elementBytes;
  if (type === GgmlType.F32) return dequantizeF32(byteView(bytes), count);
  return type === GgmlType.F16 ? dequantizeF16(bytes, count) : dequantizeBF16(bytes, count);
}

/**
 * Bytes of type `from` stored as type `to`: unchanged when the types agree (bit-exact), otherwise
 * widened to F32 and rounded to nearest even, as llama.cpp's converters do.
 */
export function recodeFloats(bytes: Uint8Array, from: FloatType, to: FloatType): Uint8Array {
  if (from === to) return bytes;
  const fromBytes = from === GgmlType.F32 ? 4 : 2;
  const toBytes = to === GgmlType.F32 ? 4 : 2;
  const count = bytes.length / fromBytes;
  const out = new Uint8Array(count * toBytes);
  // In slices, so a 500 M-value embedding never exists as a whole F32 copy.
  for (let start = 0; start < count; start += CHUNK) {
    const end = Math.min(count, start + CHUNK);
    out.set(
      encodeFloat32(decodeFloats(bytes.subarray(start * fromBytes, end * fromBytes), from), to),
      start * toBytes,
    );
  }
  return out;
}

const CHUNK = 1 << 20;
