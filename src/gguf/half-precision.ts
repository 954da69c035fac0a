/** IEEE 754 half-precision conversion (Node 20 has no Float16Array). */

const floatView = new Float32Array(1);
const intView = new Uint32Array(floatView.buffer);

/** Round-to-nearest-even float32 -> float16 bits, as ggml's converter does. */
export function float32ToFloat16Bits(value: number): number {
  floatView[0] = value;
  return float32BitsToFloat16Bits(intView[0]!);
}

/** {@link float32ToFloat16Bits} on the float's bits (for loops over a Uint32Array view). */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && half & 1)) half++;
  return sign | half;
}

/**
 * Round-to-nearest-even float32 -> bfloat16 bits, as gguf-py's converter does (a NaN stays a quiet
 * NaN with its sign).
 */
export function float32ToBfloat16Bits(value: number): number {
  floatView[0] = value;
  return float32BitsToBfloat16Bits(intView[0]!);
}

/** {@link float32ToBfloat16Bits} on the float's bits. */
export function float32BitsToBfloat16Bits(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) & 0xffff) | 0x0040;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (mantissa / 1024);
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + mantissa / 1024);
}
