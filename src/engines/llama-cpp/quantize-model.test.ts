import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ggmlReference } from '../../../test/support/ggml-reference.js';
import { testLlama } from '../../../test/support/llama.js';
import { temporaryDirectory } from '../../../test/support/paths.js';
import { ConfigError, InputError, ModelFormatError } from '../../errors.js';
import { GgmlType, tensorByteSize } from '../../gguf/gguf-types.js';
import { readGgufHeader } from '../../gguf/read-gguf.js';
import { createModelFile } from '../../model/create-model.js';
import { readLlamaModel } from '../../model/llama-model-file.js';
import { modelInfo } from '../../model/model-info.js';
import { type QuantizeType, quantizeModelFile } from './quantize-model.js';

const corpus = ['the patient has a fever and a dry cough', 'aspirin reduces fever', 'answer yes or no'];

let directory: string;
let base: string;
beforeAll(async () => {
  directory = await temporaryDirectory('quantize-');
  base = join(directory, 'base.gguf');
  // Width 256 fits every block size; the default feed-forward width 704 is not a multiple of 256,
  // so ffn_down (704-wide rows) cannot be a k-quant and must fall back.
  await createModelFile({
    out: base,
    corpus,
    embeddingLength: 256,
    heads: 4,
    layers: 2,
    tiedOutput: false,
    seed: 5,
  });
});

describe('quantizeModelFile (llama.cpp through koffi)', () => {
  it.each([
    ['q8_0', GgmlType.Q8_0, []],
    ['q4_0', GgmlType.Q4_0, []],
    ['q5_1', GgmlType.Q5_1, []],
    ['f16', GgmlType.F16, []],
    ['q4_k', GgmlType.Q4_K, ['Q5_0', 'Q5_0']],
    ['q6_k', GgmlType.Q6_K, ['Q8_0', 'Q8_0']],
  ] as [QuantizeType, GgmlType, string[]][])(
    '%s: every weight matrix that fits becomes the type; norms stay F32',
    async (type, tensorType, fallbackTypes) => {
      const output = join(directory, `${type}.gguf`);
      const result = await quantizeModelFile(base, output, type, { threads: 1 });
      expect(result.fallbacks.map((tensor) => tensor.type)).toEqual(fallbackTypes);
      for (const tensor of result.fallbacks) expect(tensor.name).toMatch(/^blk\.\d\.ffn_down\.weight$/);
      const header = await readGgufHeader(output);
      for (const tensor of header.tensors) {
        const expected = tensor.shape.length === 1 ? GgmlType.F32 : tensorType;
        if (!result.fallbacks.some((fallback) => fallback.name === tensor.name))
          expect(tensor.type, tensor.name).toBe(expected);
      }
      expect(result.typeCounts.F32).toBe(5);
      expect(result.outputBytes).toBeLessThan(result.inputBytes);
      expect(result.log).toContain('llama_model_quantize');
    },
  );

  it('writes into a folder that does not exist yet', async () => {
    const output = join(directory, 'not', 'made', 'yet', 'q8_0.gguf');
    const result = await quantizeModelFile(base, output, 'q8_0', { threads: 1 });
    expect((await readGgufHeader(result.output)).tensors.length).toBeGreaterThan(0);
  });

  it('a llama.cpp mix (q4_k_m) keeps some tensors larger and lists them', async () => {
    const result = await quantizeModelFile(base, join(directory, 'q4_k_m.gguf'), 'q4_k_m', { threads: 1 });
    expect(result.tensorType).toBe('Q4_K');
    expect(result.fallbacks.map((tensor) => tensor.name)).toContain('output.weight');
    expect(result.typeCounts.Q4_K).toBeGreaterThan(0);
    // `model info` counts the same types from the header.
    expect((await modelInfo(result.output)).tensorTypes).toEqual(result.typeCounts);
  });

  it('the trainer reads a quantized file as exactly the floats ggml dequantizes it to', async () => {
    const path = join(directory, 'read-q4_k.gguf');
    await quantizeModelFile(base, path, 'q4_k', { threads: 1 });
    const model = await readLlamaModel(path);
    const original = await readLlamaModel(base);
    const header = await readGgufHeader(path);
    const handle = await open(path, 'r');
    try {
      for (const tensor of header.tensors) {
        const bytes = Buffer.alloc(tensorByteSize(tensor)!);
        await handle.read(bytes, 0, bytes.length, header.dataOffset + Number(tensor.offset));
        const count = tensor.shape.reduce((a, b) => a * b, 1);
        const expected = ggmlReference().toFloat(tensor.type, bytes, count);
        const ours = model.weights.get(tensor.name)!.data;
        expect(Buffer.from(ours.buffer).equals(Buffer.from(expected.buffer)), tensor.name).toBe(true);
        // And the values are the original weights to within 4-bit quantization error.
        const source = original.weights.get(tensor.name)!.data;
        let error = 0;
        let scale = 0;
        for (let i = 0; i < count; i++) {
          error = Math.max(error, Math.abs(ours[i]! - source[i]!));
          scale = Math.max(scale, Math.abs(source[i]!));
        }
        expect(error, tensor.name).toBeLessThan(scale * 0.15);
      }
    } finally {
      await handle.close();
    }
  });

  it('llama.cpp loads and runs the quantized file', async () => {
    const path = join(directory, 'run-q8_0.gguf');
    await quantizeModelFile(base, path, 'q8_0', { threads: 1 });
    const llama = await testLlama();
    const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
    try {
      expect(model.tokenize('the patient has a fever').length).toBeGreaterThan(0);
      const context = await model.createContext({ contextSize: 64, threads: 1 });
      const logits = await context
        .getSequence()
        .controlledEvaluate([[model.tokenize('the')[0]!, { generateNext: { logits: true } }]]);
      const values = [...(logits[0]?.next.logits?.values() ?? [])];
      expect(values).toHaveLength((await readLlamaModel(path)).config.vocabSize);
      expect(values.every(Number.isFinite)).toBe(true);
      await context.dispose();
    } finally {
      await model.dispose();
    }
  });

  it('refuses a missing file, a file that is not GGUF, and an unknown type, each by name', async () => {
    await expect(
      quantizeModelFile(join(directory, 'absent.gguf'), join(directory, 'x.gguf'), 'q8_0'),
    ).rejects.toThrow(InputError);
    const notGguf = join(directory, 'not.gguf');
    await writeFile(notGguf, 'hello');
    await expect(quantizeModelFile(notGguf, join(directory, 'x.gguf'), 'q8_0')).rejects.toThrow(
      ModelFormatError,
    );
    await expect(quantizeModelFile(base, join(directory, 'x.gguf'), 'q3_k' as QuantizeType)).rejects.toThrow(
      ConfigError,
    );
  });

  it('the trainer refuses a tensor type it cannot read, naming the file, the tensor and the type', async () => {
    const path = join(directory, 'q3_k.gguf');
    await quantizeModelFile(base, path, 'q4_k', { threads: 1 });
    // Relabel one Q4_K tensor as Q3_K in its tensor info (Q3_K blocks are smaller, so the file still parses).
    const bytes = await readFile(path);
    const name = Buffer.from('blk.1.attn_q.weight');
    const at = bytes.indexOf(name);
    const typeOffset = at + name.length + 4 + 2 * 8;
    expect(bytes.readUInt32LE(typeOffset)).toBe(GgmlType.Q4_K);
    bytes.writeUInt32LE(GgmlType.Q3_K, typeOffset);
    await writeFile(path, bytes);
    await expect(readLlamaModel(path)).rejects.toThrow(
      /q3_k\.gguf: tensor blk\.1\.attn_q\.weight is Q3_K, a type the embedded engine cannot read \(it reads F32, F16, BF16, Q8_0/,
    );
  });

  it('leaves the input byte-identical', async () => {
    const before = await readFile(base);
    await quantizeModelFile(base, join(directory, 'again.gguf'), 'q4_1', { threads: 1 });
    expect((await readFile(base)).equals(before)).toBe(true);
  });
});
