import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertHfToGguf } from '../../src/convert/hf-to-gguf.js';
import { useWasmBackend } from '../../src/engines/tfjs/wasm-backend.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import {
  hfReference,
  type RandomHfModelOptions,
  SMALL_MODELS,
  writeRandomHfModel,
} from '../support/hf-model.js';
import { exact, llamaCppLogprobs, maxDifference, tfjsLogprobs } from '../support/parity.js';

/**
 * A random Hugging Face checkpoint with a real family's vocabulary, converted to GGUF, gives in
 * llama.cpp the log-probabilities the TF.js forward gives on the checkpoint's own weights, over
 * the whole vocabulary at every position. The reference applies RoPE as transformers does (over
 * halves of each head, no row reordering), so for `llama` it checks the converter's Q/K row
 * permutation independently. Bound as in the other parity tests: float32 end to end (F32 KV cache,
 * no flash attention) differs by summation order only, about 1e-5; a modelling error shows at 1e-2.
 */
const TOLERANCE = 1e-4;
const POSITIONS = 24;

const FAMILIES: Record<string, RandomHfModelOptions> = {
  'llama (Llama 3 vocabulary, GQA, llama3 RoPE scaling, untied)': SMALL_MODELS.llama,
  'qwen2 (Qwen vocabulary, q/k/v biases, tied, BF16 checkpoint)': SMALL_MODELS.qwen2,
  'qwen3 (q/k norms, head_dim 32 wider than hidden/heads, tied)': SMALL_MODELS.qwen3,
};

let directory: string;
beforeAll(async () => {
  await useWasmBackend();
  directory = await mkdtemp(join(tmpdir(), 'convert-parity-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const randomTokens = (seed: number): number[] => {
  const random = seededRandom(seed);
  return Array.from({ length: POSITIONS }, () => Math.floor(random() * 120000));
};

describe.each(Object.entries(FAMILIES))('HF -> GGUF: %s', (label, options) => {
  it('runs in llama.cpp with the log-probabilities of the TF.js forward on the same weights', {
    timeout: 300_000,
  }, async () => {
    const folder = join(directory, options.architecture);
    const model = await writeRandomHfModel(folder, options);
    const output = join(directory, `${options.architecture}-f32.gguf`);
    const result = await convertHfToGguf({ input: folder, output, outType: 'f32' });
    expect(result.architecture).toBe(options.architecture);
    const tokens = randomTokens(options.seed);
    const reference = hfReference(model);
    const ours = tfjsLogprobs(reference.config, reference.weights, tokens);
    const difference = maxDifference(ours, await llamaCppLogprobs(output, tokens, exact));
    console.log(
      `${label}: F32 GGUF, max |Δ log p| ${difference.toExponential(2)} over ${POSITIONS} positions x ${reference.config.vocabSize} tokens`,
    );
    expect(difference).toBeLessThan(TOLERANCE);

    // F16 and BF16 matrices: rounding of the weights and llama.cpp's half-precision kernels.
    if (options.architecture !== 'llama') return;
    for (const outType of ['f16', 'bf16'] as const) {
      const halfOutput = join(directory, `${options.architecture}-${outType}.gguf`);
      await convertHfToGguf({ input: folder, output: halfOutput, outType });
      const half = maxDifference(ours, await llamaCppLogprobs(halfOutput, tokens, exact));
      console.log(`${label}: ${outType.toUpperCase()} GGUF, max |Δ log p| ${half.toExponential(2)}`);
      expect(half).toBeLessThan(0.5);
    }
  });
});
