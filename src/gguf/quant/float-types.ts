/**
 * The unblocked float types: F32 as stored, F16 and BF16 widened to F32 bit for bit as ggml does
 * (ggml_compute_fp16_to_fp32 keeps a NaN's payload and sets its quiet bit; BF16 is the high half).
 */

let halfTable: Uint32Array | undefined;

/** F32 bits of every F16 value, built once (256 KB): a lookup is exact and faster than arithmetic. */
function float16Table(): Uint32Array {
  if (halfTable) return halfTable;
  const table = new Uint32Array(65536);
  const scratch = new Float32Array(1);
  const scratchBits = new Uint32Array(scratch.buffer);
  for (let half = 0; half < 65536; half++) {
    const sign = (half & 0x8000) << 16;
    const exponent = (half >>> 10) & 0x1f;
    const mantissa = half & 0x3ff;
    let bits: number;
    if (exponent === 0x1f) bits = mantissa ? 0x7fc00000 | (mantissa << 13) : 0x7f800000;
    else if (exponent !== 0) bits = ((exponent - 15 + 127) << 23) | (mantissa << 13);
    else {
      // Subnormal halves are normal floats: mantissa x 2^-24 is exact in F32.
      scratch[0] = mantissa * 2 ** -24;
      bits = scratchBits[0]!;
    }
    table[half] = (sign | bits) >>> 0;
  }
  halfTable = table;
  return table;
}

/** A table-backed F16 reader for the block decoders: returns the F32 value of the half at `offset`. */
export function halfReader(bytes: Uint8Array): (offset: number) => number {
  const table = float16Table();
  const widened = new Float32Array(table.buffer);
  return (offset) => widened[bytes[offset]! | (bytes[offset + 1]! << 8)]!;
}

export function dequantizeF32(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
  return out;
}

export function dequantizeF16(bytes: Uint8Array, count: number): Float32Array {
  const table = float16Table();
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = table[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!;
  return new Float32Array(out.buffer);
}

export function dequantizeBF16(bytes: Uint8Array, count: number): Float32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = ((bytes[2 * i]! << 16) | (bytes[2 * i + 1]! << 24)) >>> 0;
  return new Float32Array(out.buffer);
}
