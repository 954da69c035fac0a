import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../../errors.js';
import { GgmlType } from '../gguf-types.js';
import { tensorToFloat32 } from './tensor-to-float32.js';

describe('tensorToFloat32', () => {
  it('decodes a hand-made Q8_0 block: scale 0.5 (F16 0x3800) times the int8 quants', () => {
    const bytes = new Uint8Array(34);
    bytes[0] = 0x00;
    bytes[1] = 0x38;
    const quants = new Int8Array(bytes.buffer, 2, 32);
    for (let i = 0; i < 32; i++) quants[i] = i - 16;
    const values = tensorToFloat32({ name: 'w', shape: [32], type: GgmlType.Q8_0 }, bytes);
    expect([...values]).toEqual(Array.from({ length: 32 }, (_, i) => (i - 16) / 2));
  });

  it('refuses an unsupported type naming the file, the tensor and the type', () => {
    const read = () =>
      tensorToFloat32(
        { name: 'blk.0.ffn_up.weight', shape: [256, 4], type: GgmlType.IQ2_XXS },
        new Uint8Array(264),
        'model.gguf',
      );
    expect(read).toThrow(ModelFormatError);
    expect(read).toThrow(
      /model\.gguf.*blk\.0\.ffn_up\.weight is IQ2_XXS|blk\.0\.ffn_up\.weight is IQ2_XXS.*model\.gguf/,
    );
    expect(read).toThrow(/reads F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K/);
  });

  it('refuses rows that are not whole blocks, and short data', () => {
    expect(() =>
      tensorToFloat32({ name: 'w', shape: [100, 2], type: GgmlType.Q4_K }, new Uint8Array(1000), 'm.gguf'),
    ).toThrow(/tensor w of type Q4_K has shape \[100,2\]/);
    expect(() =>
      tensorToFloat32({ name: 'w', shape: [64], type: GgmlType.Q4_0 }, new Uint8Array(35), 'm.gguf'),
    ).toThrow(/needs 36 bytes of Q4_0 data, only 35/);
  });
});
