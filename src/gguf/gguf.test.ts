import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/support/paths.js';
import { GgmlType, type GgufMetadata, GgufValueType, gguf, metadataValue } from './gguf-types.js';
import { float16BitsToFloat32, float32ToFloat16Bits } from './half-precision.js';
import { readGgufHeader, readGgufTensors } from './read-gguf.js';
import { writeGguf } from './write-gguf.js';

describe('GGUF', () => {
  it('round-trips metadata of every type and F32/F16 tensors', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'x.gguf');
    const metadata: GgufMetadata = new Map([
      ['general.architecture', gguf.string('llama')],
      ['a.u32', gguf.uint32(7)],
      ['a.i32', gguf.int32(-3)],
      ['a.f32', gguf.float32(0.5)],
      ['a.bool', gguf.bool(true)],
      ['a.u64', { type: GgufValueType.Uint64, value: 1n << 40n }],
      ['a.f64', { type: GgufValueType.Float64, value: Math.PI }],
      ['a.strings', gguf.stringArray(['x', 'ünï', ''])],
      ['a.ints', gguf.int32Array([1, -2, 3])],
    ]);
    const f32 = Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.8);
    const f16 = Float32Array.from({ length: 6 }, (_, i) => (i - 3) * 0.125);
    await writeGguf(path, metadata, [
      { name: 'w', shape: [4, 3], data: f32, type: GgmlType.F32 },
      { name: 'h', shape: [6], data: f16, type: GgmlType.F16 },
    ]);
    const header = await readGgufHeader(path);
    expect(header.version).toBe(3);
    expect(metadataValue(header.metadata, 'a.u32')).toBe(7);
    expect(metadataValue(header.metadata, 'a.i32')).toBe(-3);
    expect(metadataValue(header.metadata, 'a.f32')).toBe(0.5);
    expect(metadataValue(header.metadata, 'a.bool')).toBe(true);
    expect(metadataValue(header.metadata, 'a.u64')).toBe(2 ** 40);
    expect(metadataValue(header.metadata, 'a.f64')).toBe(Math.PI);
    expect(metadataValue(header.metadata, 'a.strings')).toEqual(['x', 'ünï', '']);
    expect(metadataValue(header.metadata, 'a.ints')).toEqual([1, -2, 3]);
    expect(header.tensors.map((t) => [t.name, t.shape, t.type])).toEqual([
      ['w', [4, 3], GgmlType.F32],
      ['h', [6], GgmlType.F16],
    ]);
    expect(header.dataOffset % 32).toBe(0);
    const tensors = await readGgufTensors(path, header);
    expect(Array.from(tensors.get('w')!)).toEqual(Array.from(f32));
    // These values are exact in half precision.
    expect(Array.from(tensors.get('h')!)).toEqual(Array.from(f16));
  });

  it('converts to half precision with round-to-nearest-even', () => {
    expect(float32ToFloat16Bits(1)).toBe(0x3c00);
    expect(float32ToFloat16Bits(-2)).toBe(0xc000);
    expect(float32ToFloat16Bits(65504)).toBe(0x7bff);
    expect(float32ToFloat16Bits(1e6)).toBe(0x7c00);
    expect(float16BitsToFloat32(0x0001)).toBeCloseTo(5.96e-8, 10);
    // 1 + 2^-11 is halfway between 1 and the next half; ties go to the even mantissa (1.0).
    expect(float32ToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    for (const value of [0.1, -Math.PI, 1234.5, 6.1e-5]) {
      const back = float16BitsToFloat32(float32ToFloat16Bits(value));
      expect(Math.abs(back - value) / Math.abs(value)).toBeLessThan(1e-3);
    }
  });

  it('refuses files that are not GGUF, truncated files and missing files with the file named', async () => {
    const dir = await temporaryDirectory();
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'this is not a model, just some text that is long enough');
    await expect(readGgufHeader(text)).rejects.toThrow(/notes\.txt: not a GGUF file/);
    const good = join(dir, 'good.gguf');
    await writeGguf(good, new Map([['k', gguf.stringArray(['a', 'b', 'c'])]]), []);
    const bytes = await readFile(good);
    const cut = join(dir, 'cut.gguf');
    await writeFile(cut, bytes.subarray(0, 40));
    await expect(readGgufHeader(cut)).rejects.toThrow(/cut\.gguf: unexpected end of file/);
    // A file whose header is whole but whose tensor data is cut short.
    const withTensor = join(dir, 'tensor.gguf');
    await writeGguf(withTensor, new Map(), [
      { name: 'w', shape: [64], data: new Float32Array(64), type: GgmlType.F32 },
    ]);
    const tensorBytes = await readFile(withTensor);
    const cutData = join(dir, 'cut-data.gguf');
    await writeFile(cutData, tensorBytes.subarray(0, tensorBytes.length - 16));
    await expect(readGgufHeader(cutData)).rejects.toThrow(
      /cut-data\.gguf: tensor w extends past the end of the file/,
    );
    await expect(readGgufHeader(join(dir, 'absent.gguf'))).rejects.toThrow(
      /absent\.gguf: cannot open model file/,
    );
  });
});
