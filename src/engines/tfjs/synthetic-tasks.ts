import type { LlamaConfig, LlamaWeights } from '../../model/llama-config.js';
import type { TrainingExample } from './training-example.js';

/** A small Llama config for tests and benchmarks; `overrides` replace any field. */
export function smallLlamaConfig(overrides: Partial<LlamaConfig> = {}): LlamaConfig {
  return {
    vocabSize: 32,
    contextLength: 64,
    embeddingLength: 128,
    blockCount: 2,
    headCount: 4,
    headCountKv: 4,
    feedForwardLength: 352,
    rmsNormEpsilon: 1e-5,
    ropeFreqBase: 10000,
    tiedOutput: true,
    ...overrides,
  };
}

/**
 * The copy task: BOS, n random tokens, a separator, the same n tokens again; loss only on the
 * copy. A model can only solve it by attending back across the sequence, so it exercises
 * attention, RoPE and the masked loss together. Token 1 is BOS, 2 the separator, 0 padding.
 */
export function copyTaskExample(random: () => number, vocabSize: number, length: number): TrainingExample {
  const body = Array.from({ length }, () => 3 + Math.floor(random() * (vocabSize - 3)));
  const tokens = Int32Array.from([1, ...body, 2, ...body]);
  const lossMask = new Uint8Array(tokens.length);
  lossMask.fill(1, length + 2);
  return { tokens, lossMask };
}

/**
 * Multiply every matrix of `weights` by `factor` in place. The 0.02 initialisation gives
 * near-uniform predictions; tests scale it up so outputs are peaked and nonlinear.
 */
export function scaleMatrices(weights: LlamaWeights, factor: number): void {
  for (const tensor of weights.values()) {
    if (tensor.shape.length < 2) continue;
    for (let i = 0; i < tensor.data.length; i++) tensor.data[i] = tensor.data[i]! * factor;
  }
}
