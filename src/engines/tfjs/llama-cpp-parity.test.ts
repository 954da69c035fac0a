import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { exact, llamaCppLogprobs, maxDifference, tfjsLogprobs } from '../../../test/support/parity.js';
import { createModel } from '../../model/create-model.js';
import { type LlamaModel, readLlamaModel, writeLlamaModel } from '../../model/llama-model-file.js';
import { defaultHyperparameters } from '../../training/default-hyperparameters.js';
import { readLoraAdapter } from './lora-adapter-file.js';
import { scaleMatrices } from './synthetic-tasks.js';
import { TfjsTrainingEngine } from './tfjs-training-engine.js';
import { useWasmBackend } from './wasm-backend.js';

/**
 * The key proof that the trainer computes LLM_ARCH_LLAMA exactly: the same GGUF gives the same
 * next-token log-probabilities in our TensorFlow.js forward pass and in llama.cpp.
 *
 * Tolerance: with llama.cpp's KV cache in F32 and flash attention off, both sides compute in
 * float32 and differ only in summation order. Measured: max |Δ log p| 1.2e-5 to 1.5e-5 over
 * every vocabulary entry at every position (log-probabilities down to -14). float32 rounding
 * (6e-8 relative) on logits of magnitude ~15, accumulated over a few layers of dot products,
 * predicts ~1e-5; 1e-4 leaves margin while any modelling difference (RoPE pairing, GQA head
 * mapping, norm epsilon, SwiGLU order) shows up at 1e-2 or more. llama.cpp's defaults (F16 KV
 * cache, flash attention) round keys and values to half precision: measured 0.9e-2 to 1.8e-2.
 */
const TOLERANCE = 1e-4;
const DEFAULT_RUNTIME_TOLERANCE = 0.1;

const corpus = [
  'the patient has a fever and a dry cough since monday',
  'aspirin reduces fever in adults but not in children',
  'which drug treats the infection? amoxicillin for ten days',
];

function promptTokens(model: LlamaModel, length: number): number[] {
  const text = `<|im_start|>user\n${corpus.join(' ')}<|im_end|>\n<|im_start|>assistant\n${corpus.join(' ')}`;
  return model.tokenizer!.encode(text, { parseSpecial: true }).slice(0, length);
}

/** A random model with larger-than-init weights, so log-probabilities span a wide range. */
async function randomModelFile(
  directory: string,
  options: { tiedOutput: boolean; kvHeads: number },
): Promise<{ path: string; model: LlamaModel }> {
  const model = createModel({
    corpus,
    layers: 2,
    embeddingLength: 64,
    heads: 4,
    kvHeads: options.kvHeads,
    contextLength: 128,
    tiedOutput: options.tiedOutput,
    seed: 4,
  });
  scaleMatrices(model.weights, 10);
  const path = join(directory, `random-${options.tiedOutput ? 'tied' : 'untied'}.gguf`);
  await writeLlamaModel(path, model, 'f32');
  return { path, model };
}

let directory: string;
beforeAll(async () => {
  await useWasmBackend();
  directory = await mkdtemp(join(tmpdir(), 'parity-'));
});

describe('parity with llama.cpp', () => {
  it('gives the same log-probabilities for a grouped-query, untied model', async () => {
    const { path, model } = await randomModelFile(directory, { tiedOutput: false, kvHeads: 2 });
    const tokens = promptTokens(model, 100);
    expect(tokens.length).toBeGreaterThan(60);
    const ours = tfjsLogprobs(model.config, model.weights, tokens);
    expect(maxDifference(ours, await llamaCppLogprobs(path, tokens))).toBeLessThan(TOLERANCE);
    // llama.cpp's default runtime settings (F16 KV cache, flash attention auto) stay close too.
    const defaults = await llamaCppLogprobs(path, tokens, { threads: 1 });
    expect(maxDifference(ours, defaults)).toBeLessThan(DEFAULT_RUNTIME_TOLERANCE);
  });

  it('gives the same log-probabilities for a tied-head model at 120 positions', async () => {
    const { path, model } = await randomModelFile(directory, { tiedOutput: true, kvHeads: 4 });
    const base = promptTokens(model, 60);
    const tokens = [...base, ...base].slice(0, 120);
    expect(
      maxDifference(tfjsLogprobs(model.config, model.weights, tokens), await llamaCppLogprobs(path, tokens)),
    ).toBeLessThan(TOLERANCE);
  });

  it('still agrees after training: full fine-tuning and a LoRA adapter loaded by llama.cpp', async () => {
    const model = createModel({
      corpus,
      layers: 2,
      embeddingLength: 64,
      heads: 4,
      kvHeads: 2,
      contextLength: 128,
      tiedOutput: false,
      seed: 9,
    });
    const basePath = join(directory, 'base.gguf');
    await writeLlamaModel(basePath, model, 'f32');
    const dataPath = join(directory, 'chat.jsonl');
    const lines = corpus.map((text, i) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `case ${i}` },
          { role: 'assistant', content: text },
        ],
      }),
    );
    await writeFile(dataPath, `${[...lines, ...lines, ...lines].join('\n')}\n`);
    const tokens = promptTokens(model, 80);
    const before = tfjsLogprobs(model.config, model.weights, tokens);
    const engine = new TfjsTrainingEngine();
    const hyperparameters = {
      ...defaultHyperparameters,
      epochs: 3,
      batchSize: 3,
      learningRate: 1e-2,
      validationSplit: 0,
    };

    const full = await engine.train({
      baseModel: basePath,
      dataPath,
      outputPath: join(directory, 'full.gguf'),
      checkpointDir: join(directory, 'full-checkpoints'),
      hyperparameters,
    });
    const trained = await readLlamaModel(full.modelPath);
    const ours = tfjsLogprobs(trained.config, trained.weights, tokens);
    expect(maxDifference(ours, Float64ArrayRows(before))).toBeGreaterThan(0.5);
    expect(maxDifference(ours, await llamaCppLogprobs(full.modelPath, tokens))).toBeLessThan(TOLERANCE);

    const lora = await engine.train({
      baseModel: basePath,
      dataPath,
      outputPath: join(directory, 'adapter.gguf'),
      checkpointDir: join(directory, 'lora-checkpoints'),
      hyperparameters: { ...hyperparameters, loraRank: 4, loraAlpha: 8 },
    });
    expect(lora.modelPath).toBe(basePath);
    const adapter = await readLoraAdapter(lora.adapterPath!);
    const adapted = tfjsLogprobs(model.config, model.weights, tokens, adapter);
    expect(maxDifference(adapted, Float64ArrayRows(before))).toBeGreaterThan(0.1);
    expect(
      maxDifference(
        adapted,
        await llamaCppLogprobs(basePath, tokens, { ...exact, adapter: lora.adapterPath! }),
      ),
    ).toBeLessThan(TOLERANCE);
  });
});

function Float64ArrayRows(rows: number[][]): Float64Array[] {
  return rows.map((row) => Float64Array.from(row));
}
