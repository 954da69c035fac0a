/**
 * The TensorFlow.js forward pass on a real pretrained quantized model (SmolLM2-135M-Instruct,
 * Q4_1: 30 layers, width 576, 9 heads / 3 KV heads, vocabulary 49,152), dequantized by our reader,
 * against llama.cpp. Tokens come from llama.cpp's own tokenizer, so only weights and the forward
 * pass are compared.
 *
 * Measured on 46 tokens of a clinical ChatML prompt (log p down to -58), max |Δ log p| over the
 * vocabulary and positions: 3.2e-4 against llama.cpp on the same weights stored as F32 (float32
 * summation order over 30 layers; 2.9e-4 over entries with log p > -10), and 1.09 against
 * llama.cpp on the Q4_1 file itself (0.66 over entries with log p > -10), which is llama.cpp
 * quantizing activations to Q8_0 for its Q4_1 matmul: llama.cpp differs from itself by the same
 * 1.09 between the two files. The greedy next token agrees at all 46 positions with both. Tolerances are
 * about three times the measurement; a wrong dequantization or architecture detail moves log p by
 * whole units at every position.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../../src/engines/tfjs/wasm-backend.js';
import { readLlamaModel, writeLlamaModel } from '../../src/model/llama-model-file.js';
import { testLlama } from '../support/llama.js';
import { llamaCppLogprobs, maxDifference, tfjsLogprobs } from '../support/parity.js';
import { temporaryDirectory } from '../support/paths.js';
import { publishedModelForTests } from '../support/published-model.js';

const path = await publishedModelForTests('smollm2-135m-instruct');
const PROMPT =
  '<|im_start|>user\nA 54-year-old man presents with fever, jaundice and right upper quadrant pain. ' +
  'What is the most likely diagnosis?<|im_end|>\n<|im_start|>assistant\nThe most likely diagnosis is acute cholangitis.';

let directory: string | undefined;
afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

const argmax = (row: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
};

describe.skipIf(path === undefined)('TF.js forward on the real SmolLM2-135M-Instruct Q4_1', () => {
  it('agrees with llama.cpp on the same weights, and within activation quantization on the Q4_1 file', async () => {
    await useWasmBackend();
    const llama = await testLlama();
    const vocabulary = await llama.loadModel({ modelPath: path!, gpuLayers: 0, vocabOnly: true });
    const tokens = [...vocabulary.tokenize(PROMPT, true)].map(Number);
    await vocabulary.dispose();
    expect(tokens).toHaveLength(46);

    const model = await readLlamaModel(path!);
    const ours = tfjsLogprobs(model.config, model.weights, tokens);
    const quantized = await llamaCppLogprobs(path!, tokens);
    directory = await temporaryDirectory('real-parity-');
    const dequantizedPath = join(directory, 'smollm2-f32.gguf');
    await writeLlamaModel(dequantizedPath, model, 'f32');
    const dequantized = await llamaCppLogprobs(dequantizedPath, tokens);

    expect(maxDifference(ours, dequantized)).toBeLessThan(1e-3);
    expect(maxDifference(ours, quantized)).toBeLessThan(3);
    expect(ours.map(argmax)).toEqual(dequantized.map(argmax));
    // Activation quantization may flip a near tie on another CPU's kernels: allow a few.
    const agreeing = ours.filter((row, i) => argmax(row) === argmax(quantized[i]!)).length;
    expect(agreeing).toBeGreaterThanOrEqual(tokens.length - 3);
  });
});
