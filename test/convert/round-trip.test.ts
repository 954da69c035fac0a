import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFloats, GGML_TYPE_OF_DTYPE } from '../../src/convert/float-encoding.js';
import { convertGgufToHf } from '../../src/convert/gguf-to-hf.js';
import { convertHfToGguf } from '../../src/convert/hf-to-gguf.js';
import {
  readSafetensorsData,
  readSafetensorsHeader,
  type SafetensorsTensorInfo,
} from '../../src/convert/safetensors.js';
import { tensorByteSize } from '../../src/gguf/gguf-types.js';
import { readGgufHeader } from '../../src/gguf/read-gguf.js';
import { writeLlamaModel } from '../../src/model/llama-model-file.js';
import { createPresetModel } from '../../src/model/presets.js';
import { type RandomHfModelOptions, SMALL_MODELS, writeRandomHfModel } from '../support/hf-model.js';

const MODELS: Record<string, RandomHfModelOptions> = {
  'llama, llama3 RoPE scaling, untied, BF16': { ...SMALL_MODELS.llama, dtype: 'BF16', seed: 7 },
  'qwen2, biases, tied, F16': { ...SMALL_MODELS.qwen2, dtype: 'F16', seed: 7 },
  'qwen3, head_dim 32, tied, F32': { ...SMALL_MODELS.qwen3, seed: 7 },
};
const OUT_TYPE = { F32: 'f32', F16: 'f16', BF16: 'bf16' } as const;

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'convert-round-trip-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Every tensor's raw bytes by name, read through the GGUF header. */
async function ggufTensorBytes(path: string): Promise<Map<string, Buffer>> {
  const header = await readGgufHeader(path);
  const file = await readFile(path);
  return new Map(
    header.tensors.map((tensor) => {
      const start = header.dataOffset + Number(tensor.offset);
      return [tensor.name, file.subarray(start, start + tensorByteSize(tensor)!)];
    }),
  );
}

describe.each(Object.entries(MODELS))('round trips: %s', (label, options) => {
  it('GGUF -> HF -> GGUF is bit-identical, and HF -> GGUF -> HF keeps every value', async () => {
    const hf = join(directory, `${options.architecture}-hf`);
    await writeRandomHfModel(hf, options);
    const first = join(directory, `${options.architecture}-1.gguf`);
    await convertHfToGguf({ input: hf, output: first, outType: OUT_TYPE[options.dtype] });
    const back = join(directory, `${options.architecture}-back`);
    await convertGgufToHf({ input: first, output: back });
    const second = join(directory, `${options.architecture}-2.gguf`);
    await convertHfToGguf({ input: back, output: second, outType: OUT_TYPE[options.dtype] });
    const [a, b] = await Promise.all([readFile(first), readFile(second)]);
    console.log(`${label}: GGUF ${a.length} bytes, round trip ${a.equals(b) ? 'bit-identical' : 'DIFFERS'}`);
    expect(a.equals(b)).toBe(true);

    // The checkpoint itself: every tensor comes back with its name, shape and values. Matrices keep
    // their dtype and bytes; norms and biases come back F32, as GGUF stores them (widening is exact).
    const original = await readSafetensorsHeader(join(hf, 'model.safetensors'));
    const returned = await readSafetensorsHeader(join(back, 'model.safetensors'));
    expect([...returned.tensors.keys()].sort()).toEqual([...original.tensors.keys()].sort());
    for (const [name, tensor] of original.tensors) {
      const other = returned.tensors.get(name)!;
      expect(other.shape).toEqual(tensor.shape);
      expect(other.dtype, name).toBe(tensor.shape.length > 1 ? tensor.dtype : 'F32');
      const values = (info: SafetensorsTensorInfo) =>
        readSafetensorsData(info).then((bytes) => decodeFloats(bytes, GGML_TYPE_OF_DTYPE[info.dtype]));
      expect(
        Buffer.from((await values(other)).buffer).equals(Buffer.from((await values(tensor)).buffer)),
        name,
      ).toBe(true);
    }
    const config = JSON.parse(await readFile(join(back, 'config.json'), 'utf8'));
    const written = JSON.parse(await readFile(join(hf, 'config.json'), 'utf8'));
    for (const key of [
      'vocab_size',
      'hidden_size',
      'num_key_value_heads',
      'rms_norm_eps',
      'rope_theta',
      'rope_scaling',
      'tie_word_embeddings',
      'bos_token_id',
      'eos_token_id',
    ])
      expect(config[key], key).toEqual(written[key]);
  });
});

describe('a GGUF written by medistill (not by the converter)', () => {
  it('keeps every tensor, the tokenizer and the hyperparameters through GGUF -> HF -> GGUF', async () => {
    const model = createPresetModel('qwen3-0.6b', { layers: 2, heads: 2, seed: 5 });
    const path = join(directory, 'preset.gguf');
    await writeLlamaModel(path, model, 'f16');
    const hf = join(directory, 'preset-hf');
    await convertGgufToHf({ input: path, output: hf });
    const again = join(directory, 'preset-again.gguf');
    await convertHfToGguf({ input: hf, output: again, outType: 'f16' });
    const [before, after] = await Promise.all([ggufTensorBytes(path), ggufTensorBytes(again)]);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, bytes] of before) expect(after.get(name)!.equals(bytes), name).toBe(true);
    const [headerBefore, headerAfter] = await Promise.all([readGgufHeader(path), readGgufHeader(again)]);
    // Every key the converter writes has the value of the original; medistill's writer also states
    // qwen3.vocab_size and rope.dimension_count, which llama.cpp's converter leaves to defaults.
    const compared = [...headerAfter.metadata.keys()].filter((key) => !key.startsWith('general.'));
    expect(compared.filter((key) => key.startsWith('tokenizer.')).length).toBeGreaterThan(5);
    for (const key of compared)
      expect(headerAfter.metadata.get(key), key).toEqual(headerBefore.metadata.get(key));
    for (const key of headerBefore.metadata.keys())
      if (key.startsWith('tokenizer.')) expect(headerAfter.metadata.has(key), key).toBe(true);
  });
});

describe('the tokenizer a converted GGUF carries', () => {
  it.each([
    ['llama-3.2-1b', 4, MODELS['llama, llama3 RoPE scaling, untied, BF16']!],
    ['qwen3-0.6b', 2, MODELS['qwen3, head_dim 32, tied, F32']!],
  ] as const)(
    'equals the %s preset tokenizer (checked against the real tokenizer in test/engines)',
    async (preset, heads, options) => {
      const hf = join(directory, `${preset}-tokenizer`);
      await writeRandomHfModel(hf, options);
      const path = join(directory, `${preset}-tokenizer.gguf`);
      await convertHfToGguf({ input: hf, output: path, outType: 'f16' });
      const { metadata } = await readGgufHeader(path);
      const model = createPresetModel(preset, { layers: 1, heads });
      const keys = [...model.tokenizerMetadata.keys()];
      expect(keys.length).toBeGreaterThan(6);
      expect([...metadata.keys()].filter((key) => key.startsWith('tokenizer.ggml.')).sort()).toEqual(
        [...keys].sort(),
      );
      for (const key of keys) expect(metadata.get(key), key).toEqual(model.tokenizerMetadata.get(key));
      expect(metadata.get('tokenizer.chat_template')?.value).toBe(model.chatTemplate);
    },
  );
});
