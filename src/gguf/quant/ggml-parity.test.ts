/**
 * Our dequantizers against ggml's own, loaded from the prebuilt library node-llama-cpp ships:
 * ggml quantizes seeded random tensors, then ggml and we dequantize the same bytes, and every
 * float must be bitwise equal. No skip: if ggml cannot be loaded this suite fails.
 */
import { describe, expect, it } from 'vitest';
import { ggmlReference } from '../../../test/support/ggml-reference.js';
import { seededRandom } from '../../util/seeded-random.js';
import { GGML_TYPE_LAYOUTS, GgmlType, ggmlTypeName } from '../gguf-types.js';
import { tensorToFloat32 } from './tensor-to-float32.js';

const ggml = ggmlReference();

/** Roughly normal values (sum of uniforms), scaled. */
function normal(random: () => number, scale: number): number {
  return (random() + random() + random() + random() - 2) * scale;
}

/** The value patterns quantizers get wrong: plain noise, outliers, zeros, tiny and huge scales, constants. */
function patterns(count: number, rowLength: number, seed: number): Record<string, Float32Array> {
  const random = seededRandom(seed);
  const make = (value: (i: number) => number) => Float32Array.from({ length: count }, (_, i) => value(i));
  return {
    noise: make(() => normal(random, 0.05)),
    outliers: make((i) => normal(random, 0.02) * (i % 37 === 5 ? 300 : 1)),
    zeros: make(() => 0),
    'zero rows': make((i) => (Math.floor(i / rowLength) % 2 === 0 ? 0 : normal(random, 1))),
    'sparse blocks': make((i) => (i % 64 < 48 ? 0 : normal(random, 1))),
    tiny: make(() => normal(random, 1e-6)),
    huge: make(() => normal(random, 4e4)),
    positive: make(() => random() * 3),
    constant: make(() => -0.75),
  };
}

function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** Index and values of the first float whose bits differ, or undefined when all match. */
function firstMismatch(expected: Float32Array, actual: Float32Array): string | undefined {
  const a = bits(expected);
  const b = bits(actual);
  if (a.length !== b.length) return `length ${b.length} instead of ${a.length}`;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i])
      return `element ${i}: ggml ${expected[i]} (0x${a[i]!.toString(16)}), ours ${actual[i]} (0x${b[i]!.toString(16)})`;
  }
  return undefined;
}

const BLOCK_32_SHAPES = [
  [32, 1],
  [96, 5],
  [256, 3],
  [1024, 2],
];
const SUPER_BLOCK_SHAPES = [
  [256, 1],
  [256, 7],
  [512, 3],
  [1536, 2],
];

const QUANTIZED: [GgmlType, number[][]][] = [
  [GgmlType.Q8_0, BLOCK_32_SHAPES],
  [GgmlType.Q4_0, BLOCK_32_SHAPES],
  [GgmlType.Q4_1, BLOCK_32_SHAPES],
  [GgmlType.Q5_0, BLOCK_32_SHAPES],
  [GgmlType.Q5_1, BLOCK_32_SHAPES],
  [GgmlType.Q4_K, SUPER_BLOCK_SHAPES],
  [GgmlType.Q5_K, SUPER_BLOCK_SHAPES],
  [GgmlType.Q6_K, SUPER_BLOCK_SHAPES],
];

describe('dequantization is bit-exact with ggml', () => {
  for (const [type, shapes] of QUANTIZED) {
    it(`${ggmlTypeName(type)} on ${shapes.length} shapes x 9 value patterns`, () => {
      let checked = 0;
      for (const [rowLength, rows] of shapes as [number, number][]) {
        const count = rowLength * rows;
        for (const [pattern, values] of Object.entries(patterns(count, rowLength, type * 1000 + rowLength))) {
          const bytes = ggml.quantize(type, values, rowLength);
          const expected = ggml.toFloat(type, bytes, count);
          const actual = tensorToFloat32({ name: pattern, shape: [rowLength, rows], type }, bytes);
          expect(
            firstMismatch(expected, actual),
            `${pattern}, shape [${rowLength}, ${rows}]`,
          ).toBeUndefined();
          checked += count;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }

  it('F16: all 65,536 half values, NaNs and infinities included', () => {
    const bytes = new Uint8Array(65536 * 2);
    for (let half = 0; half < 65536; half++) {
      bytes[2 * half] = half & 0xff;
      bytes[2 * half + 1] = half >> 8;
    }
    const expected = ggml.toFloat(GgmlType.F16, bytes, 65536);
    const actual = tensorToFloat32({ name: 'all halves', shape: [256, 256], type: GgmlType.F16 }, bytes);
    expect(firstMismatch(expected, actual)).toBeUndefined();
  });

  it('BF16 and F32: random bit patterns', () => {
    const random = seededRandom(30);
    const bytes = Uint8Array.from({ length: 4096 * 4 }, () => Math.floor(random() * 256));
    for (const [type, count] of [
      [GgmlType.BF16, 8192],
      [GgmlType.F32, 4096],
    ] as const) {
      const expected = ggml.toFloat(type, bytes, count);
      const actual = tensorToFloat32({ name: 'random bits', shape: [count], type }, bytes);
      expect(firstMismatch(expected, actual), ggmlTypeName(type)).toBeUndefined();
    }
  });

  it('the block-size table matches ggml_get_type_traits for every type', () => {
    for (const [type, layout] of GGML_TYPE_LAYOUTS) {
      const reference = ggml.layout(type);
      expect({ type: ggmlTypeName(type).toLowerCase(), ...layout }).toEqual({
        type: reference.name.toLowerCase(),
        blockSize: reference.blockSize,
        blockBytes: reference.blockBytes,
      });
    }
  });
});
