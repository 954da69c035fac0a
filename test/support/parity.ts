import * as tf from '@tensorflow/tfjs-core';
import type { LlamaContextOptions, Token } from 'node-llama-cpp';
import { expect } from 'vitest';
import { LlamaNetwork } from '../../src/engines/tfjs/llama-network.js';
import {
  disposeParameters,
  toInternalTensor,
  toParameterMap,
} from '../../src/engines/tfjs/parameter-layout.js';
import type { LlamaConfig, LlamaWeights } from '../../src/model/llama-config.js';
import { testLlama } from './llama.js';

/**
 * Next-token log-probabilities from llama.cpp and from the TF.js network, for parity tests.
 * `exact` runs llama.cpp in float32 end to end (F32 KV cache, no flash attention).
 */
export const exact: LlamaContextOptions = {
  threads: 1,
  flashAttention: false,
  experimentalKvCacheKeyType: 'F32',
  experimentalKvCacheValueType: 'F32',
};

export async function llamaCppLogprobs(
  path: string,
  tokens: number[],
  options: LlamaContextOptions & { adapter?: string } = exact,
): Promise<Float64Array[]> {
  const llama = await testLlama();
  const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
  const { adapter, ...contextOptions } = options;
  const context = await model.createContext({
    contextSize: 128,
    ...contextOptions,
    ...(adapter ? { lora: { adapters: [{ filePath: adapter }] } } : {}),
  });
  try {
    const results = await context
      .getSequence()
      .controlledEvaluate(tokens.map((token) => [token as Token, { generateNext: { logits: true } }]));
    return results.map((result) => {
      const logits = result?.next.logits;
      if (!logits) throw new Error('llama.cpp returned no logits');
      const values = new Float64Array(logits.size);
      for (const [token, value] of logits) values[token] = value;
      let max = Number.NEGATIVE_INFINITY;
      for (const value of values) max = Math.max(max, value);
      const logSum = max + Math.log(values.reduce((sum, value) => sum + Math.exp(value - max), 0));
      return values.map((value) => value - logSum);
    });
  } finally {
    await context.dispose();
    await model.dispose();
  }
}

export function tfjsLogprobs(
  config: LlamaConfig,
  weights: LlamaWeights,
  tokens: number[],
  adapter?: { alpha: number; tensors: LlamaWeights },
): number[][] {
  const parameters = toParameterMap(weights);
  let scale = 1;
  if (adapter) {
    for (const [name, tensor] of adapter.tensors) parameters.set(name, toInternalTensor(name, tensor));
    const rank = [...adapter.tensors.values()][0]!.shape[1]!;
    scale = adapter.alpha / rank;
  }
  const network = new LlamaNetwork(config, parameters, scale);
  const logits = network.logits(Int32Array.from(tokens), 1, tokens.length);
  const logProbabilities = tf.logSoftmax(logits);
  const rows = logProbabilities.arraySync() as number[][];
  tf.dispose([logits, logProbabilities]);
  network.dispose();
  disposeParameters(parameters);
  return rows;
}

export function maxDifference(ours: number[][], theirs: Float64Array[]): number {
  expect(theirs).toHaveLength(ours.length);
  let max = 0;
  for (let t = 0; t < ours.length; t++) {
    for (let v = 0; v < ours[t]!.length; v++) max = Math.max(max, Math.abs(ours[t]![v]! - theirs[t]![v]!));
  }
  return max;
}
