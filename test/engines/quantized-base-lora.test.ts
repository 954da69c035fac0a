/**
 * LoRA on a quantized base: the TensorFlow.js trainer reads the Q8_0 / Q4_K / Q4_1 file
 * (dequantized to F32, bit-exact with ggml), trains an adapter, leaves the base file byte-identical,
 * and llama.cpp applies that adapter to the same quantized file.
 *
 * Two comparisons per type, before and after LoRA training, as max |Δ log p| over the whole
 * vocabulary at 48 positions (weights scaled x3, so log p reaches about -10):
 * - against llama.cpp running the same dequantized weights stored as F32: this isolates our
 *   dequantization and forward pass, and holds the F32 tolerance 1e-4 (measured 4e-6 to 7e-6);
 * - against llama.cpp running the quantized file itself. llama.cpp's CPU matmul quantizes the
 *   activations too (to Q8_0 for Q8_0/Q4_1 weights, Q8_K for Q4_K) before each dot product, which
 *   F32 activations on our side do not; the weights are the same floats. Measured (before / after):
 *   F32 6.9e-6 / 4.0e-6, Q8_0 0.070 / 0.048, Q4_K 0.143 / 0.085, Q4_1 0.079 / 0.062. llama.cpp
 *   against itself, on the quantized file and on the same weights stored as F32, differs by the
 *   same amounts to three digits, so all of it is activation quantization. The tolerances are
 *   about twice the measurement. Before LoRA, with weights x1 (log p to -7) Q8_0 / Q4_K / Q4_1 give
 *   0.011 / 0.018 / 0.013, with x10 (log p to -23) 0.63 / 1.64 / 0.91 (F32 at x10: 9e-5): the
 *   error grows with the size of the activations.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizeModelFile } from '../../src/engines/llama-cpp/quantize-model.js';
import { type LoraAdapter, readLoraAdapter } from '../../src/engines/tfjs/lora-adapter-file.js';
import { scaleMatrices } from '../../src/engines/tfjs/synthetic-tasks.js';
import { TfjsTrainingEngine } from '../../src/engines/tfjs/tfjs-training-engine.js';
import { useWasmBackend } from '../../src/engines/tfjs/wasm-backend.js';
import { createModel } from '../../src/model/create-model.js';
import { type LlamaModel, readLlamaModel, writeLlamaModel } from '../../src/model/llama-model-file.js';
import { defaultHyperparameters } from '../../src/training/default-hyperparameters.js';
import { exact, llamaCppLogprobs, maxDifference, tfjsLogprobs } from '../support/parity.js';
import { temporaryDirectory } from '../support/paths.js';

const corpus = [
  'the patient has a fever and a dry cough since monday',
  'aspirin reduces fever in adults but not in children',
  'which drug treats the infection? amoxicillin for ten days',
];

const TOLERANCE: Record<'f32' | 'q8_0' | 'q4_k' | 'q4_1', number> = {
  f32: 1e-4,
  q8_0: 0.15,
  q4_k: 0.3,
  q4_1: 0.15,
};

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

let directory: string;
let f32Path: string;
let dataPath: string;
let tokens: number[];
const figures: string[] = [];

beforeAll(async () => {
  await useWasmBackend();
  directory = await temporaryDirectory('quantized-lora-');
  // Width 256 and feed-forward 512: every weight row is a whole number of 256-blocks, so the
  // k-quant file has no fallback tensors and every matrix is the requested type.
  const model: LlamaModel = createModel({
    corpus,
    layers: 2,
    embeddingLength: 256,
    heads: 4,
    kvHeads: 2,
    feedForwardLength: 512,
    contextLength: 128,
    tiedOutput: false,
    seed: 11,
  });
  scaleMatrices(model.weights, 3);
  f32Path = join(directory, 'f32.gguf');
  await writeLlamaModel(f32Path, model, 'f32');
  const text = `<|im_start|>user\n${corpus.join(' ')}<|im_end|>\n<|im_start|>assistant\n${corpus.join(' ')}`;
  tokens = model.tokenizer!.encode(text, { parseSpecial: true }).slice(0, 48);
  dataPath = join(directory, 'chat.jsonl');
  const lines = corpus.map((content, i) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: `case ${i}` },
        { role: 'assistant', content },
      ],
    }),
  );
  await writeFile(dataPath, `${[...lines, ...lines, ...lines].join('\n')}\n`);
});

afterAll(() => {
  // The figures quoted in the header comment and the docs come from this line.
  if (figures.length)
    console.log(`max |Δ log p| llama.cpp vs TF.js (before LoRA / after LoRA):\n${figures.join('\n')}`);
});

describe('LoRA on a quantized base', () => {
  it.each(['f32', 'q8_0', 'q4_k', 'q4_1'] as const)(
    '%s: base untouched, adapter applied by llama.cpp to the same file, log-probs agree',
    async (type) => {
      const basePath = type === 'f32' ? f32Path : join(directory, `${type}.gguf`);
      if (type !== 'f32') {
        const result = await quantizeModelFile(f32Path, basePath, type, { threads: 1 });
        expect(result.fallbacks).toEqual([]);
      }
      const digest = await sha256(basePath);
      const base = await readLlamaModel(basePath);
      // The same dequantized weights stored as F32: llama.cpp then computes without quantizing activations.
      const dequantizedPath = join(directory, `${type}-dequantized.gguf`);
      await writeLlamaModel(dequantizedPath, base, 'f32');
      const compare = async (adapter?: { path: string; values: LoraAdapter }) => {
        const ours = tfjsLogprobs(base.config, base.weights, tokens, adapter?.values);
        const options = adapter ? { ...exact, adapter: adapter.path } : exact;
        return {
          ours,
          quantized: maxDifference(ours, await llamaCppLogprobs(basePath, tokens, options)),
          dequantized: maxDifference(ours, await llamaCppLogprobs(dequantizedPath, tokens, options)),
        };
      };
      const before = await compare();

      const lora = await new TfjsTrainingEngine().train({
        baseModel: basePath,
        dataPath,
        outputPath: join(directory, `${type}-adapter.gguf`),
        checkpointDir: join(directory, `${type}-checkpoints`),
        hyperparameters: {
          ...defaultHyperparameters,
          epochs: 2,
          batchSize: 3,
          learningRate: 1e-2,
          validationSplit: 0,
          loraRank: 4,
          loraAlpha: 8,
        },
      });
      expect(lora.modelPath).toBe(basePath);
      expect(await sha256(basePath)).toBe(digest);

      const adapterPath = lora.adapterPath!;
      const after = await compare({ path: adapterPath, values: await readLoraAdapter(adapterPath) });
      // The adapter really changes the model, so agreement after training is not agreement on the base.
      const moved = maxDifference(
        after.ours,
        before.ours.map((row) => Float64Array.from(row)),
      );
      figures.push(
        `  ${type.padEnd(5)} quantized file ${before.quantized.toExponential(2)} / ${after.quantized.toExponential(2)}; ` +
          `same weights as F32 ${before.dequantized.toExponential(2)} / ${after.dequantized.toExponential(2)}; ` +
          `the adapter moved log p by up to ${moved.toFixed(2)}`,
      );
      expect(moved).toBeGreaterThan(0.1);
      for (const figures of [before, after]) {
        expect(figures.dequantized).toBeLessThan(TOLERANCE.f32);
        expect(figures.quantized).toBeLessThan(TOLERANCE[type]);
      }
    },
  );
});
