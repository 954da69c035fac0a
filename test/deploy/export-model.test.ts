/**
 * Export: a LoRA adapter merged in TypeScript gives the logits llama.cpp gives for the base with
 * the adapter applied, then llama.cpp's quantizer writes the requested type and names its
 * fallbacks. Merge parity measured as max |Δ log p| over the whole vocabulary at 40 positions,
 * both sides in llama.cpp with an F32 KV cache and one thread: 2.1e-7 (F32 rounding of
 * W + s·BA against llama.cpp's W·x + s·B(A·x)); the tolerance is 1e-4.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeLoraAdapter } from '../../src/convert/merge-lora-adapter.js';
import { exportModel } from '../../src/deploy/export-model.js';
import { writeLoraAdapter } from '../../src/engines/tfjs/lora-adapter-file.js';
import { readGgufHeader } from '../../src/gguf/read-gguf.js';
import { createModel } from '../../src/model/create-model.js';
import type { LlamaWeights } from '../../src/model/llama-config.js';
import { type LlamaModel, writeLlamaModel } from '../../src/model/llama-model-file.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import {
  exact as exactContext,
  llamaCppLogprobs as llamaCppLogProbabilities,
  maxDifference,
} from '../support/parity.js';
import { temporaryDirectory } from '../support/paths.js';

const corpus = [
  'the patient has a fever and a dry cough since monday',
  'aspirin reduces fever in adults but not in children',
];

let directory: string;
let basePath: string;
let adapterPath: string;
let tokens: number[];

/** A random adapter on every block matrix, large enough to move log p visibly. */
function randomAdapter(model: LlamaModel, rank: number, seed: number): LlamaWeights {
  const random = seededRandom(seed);
  const tensors: LlamaWeights = new Map();
  for (const [name, tensor] of model.weights) {
    if (!name.startsWith('blk.') || tensor.shape.length !== 2) continue;
    const [inputs, outputs] = tensor.shape as [number, number];
    const values = (count: number) => Float32Array.from({ length: count }, () => (random() - 0.5) * 0.4);
    tensors.set(`${name}.lora_a`, { shape: [inputs, rank], data: values(inputs * rank) });
    tensors.set(`${name}.lora_b`, { shape: [rank, outputs], data: values(rank * outputs) });
  }
  return tensors;
}

beforeAll(async () => {
  directory = await temporaryDirectory('export-');
  const model = createModel({ corpus, layers: 2, embeddingLength: 64, contextLength: 128, seed: 5 });
  basePath = join(directory, 'base.gguf');
  await writeLlamaModel(basePath, model, 'f32');
  adapterPath = join(directory, 'adapter.gguf');
  await writeLoraAdapter(adapterPath, { alpha: 8, tensors: randomAdapter(model, 4, 9) });
  const text = `<|im_start|>user\n${corpus.join(' ')}<|im_end|>\n<|im_start|>assistant\n${corpus[0]}`;
  tokens = model.tokenizer.encode(text, { parseSpecial: true }).slice(0, 40);
});

describe('merging a LoRA adapter', () => {
  it('gives the logits llama.cpp gives for base + adapter', async () => {
    const mergedPath = join(directory, 'merged.gguf');
    const result = await mergeLoraAdapter(basePath, adapterPath, mergedPath);
    expect(result.scale).toBe(2);
    expect(result.mergedTensors).toHaveLength(14);
    const applied = await llamaCppLogProbabilities(basePath, tokens, {
      ...exactContext,
      adapter: adapterPath,
    });
    const merged = await llamaCppLogProbabilities(mergedPath, tokens, exactContext);
    const base = await llamaCppLogProbabilities(basePath, tokens, exactContext);
    const rows = (values: Float64Array[]) => values.map((row) => Array.from(row));
    const difference = maxDifference(rows(merged), applied);
    console.log(`merge parity: max |Δ log p| merged vs base+adapter = ${difference.toExponential(2)}`);
    // The adapter really moves the model, so agreement is not agreement on the base.
    expect(maxDifference(rows(base), applied)).toBeGreaterThan(0.1);
    expect(difference).toBeLessThan(1e-4);
  });

  it('refuses an adapter made for another base, naming the tensor', async () => {
    const other = createModel({ corpus, layers: 2, embeddingLength: 96, contextLength: 128, seed: 5 });
    const otherAdapter = join(directory, 'other-adapter.gguf');
    await writeLoraAdapter(otherAdapter, { alpha: 8, tensors: randomAdapter(other, 4, 3) });
    await expect(mergeLoraAdapter(basePath, otherAdapter, join(directory, 'x.gguf'))).rejects.toThrow(
      /other-adapter\.gguf: this LoRA adapter is for another base model than .*base\.gguf: blk\.0\.attn_q\.weight is \[64,64\] in the base, but the adapter's A is \[96,4\]/,
    );
  });
});

describe('exportModel', () => {
  it('merges and quantizes, naming the tensors that fell back', async () => {
    const out = join(directory, 'student.q4_k_m.gguf');
    const result = await exportModel({
      model: basePath,
      adapter: adapterPath,
      type: 'q4_k_m',
      out,
      threads: 1,
    });
    expect(result.merge?.mergedTensors).toHaveLength(14);
    // Rows of 64 values are no multiple of 256: every matrix falls back, and the result says so.
    expect(result.fallbacks.length).toBeGreaterThan(0);
    expect(result.fallbacks.every((tensor) => tensor.type !== 'Q4_K')).toBe(true);
    const header = await readGgufHeader(out);
    expect(header.tensors.some((tensor) => tensor.type !== 0)).toBe(true);
  });

  it('gives one clear message for an unknown type and for a file that is not a GGUF', async () => {
    await expect(
      exportModel({ model: basePath, type: 'q3_weird', out: join(directory, 'y.gguf') }),
    ).rejects.toThrow(/unknown export type "q3_weird" \(one of f16, q8_0/);
    const notGguf = join(directory, 'notes.txt');
    await writeFile(notGguf, 'hello, this is not a model at all');
    await expect(
      exportModel({ model: notGguf, type: 'q8_0', out: join(directory, 'z.gguf') }),
    ).rejects.toThrow(/notes\.txt: not a GGUF file/);
  });
});
