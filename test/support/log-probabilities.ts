/**
 * Next-token log-probabilities of one token sequence from llama.cpp (node-llama-cpp, in-process)
 * and from the TensorFlow.js forward pass, for parity tests between the two engines.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LlamaContextOptions, Token } from 'node-llama-cpp';
import { LlamaNetwork } from '../../src/engines/tfjs/llama-network.js';
import type { LoraAdapter } from '../../src/engines/tfjs/lora-adapter-file.js';
import {
  disposeParameters,
  toInternalTensor,
  toParameterMap,
} from '../../src/engines/tfjs/parameter-layout.js';
import type { LlamaConfig, LlamaWeights } from '../../src/model/llama-config.js';
import { testLlama } from './llama.js';

/** llama.cpp computing in F32 where it can: F32 KV cache, no flash attention, one thread. */
export const exactContext: LlamaContextOptions = {
  threads: 1,
  flashAttention: false,
  experimentalKvCacheKeyType: 'F32',
  experimentalKvCacheValueType: 'F32',
};

export async function llamaCppLogProbabilities(
  path: string,
  tokens: number[],
  options: LlamaContextOptions & { adapter?: string } = exactContext,
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
      const max = Math.max(...values);
      const logSum = max + Math.log(values.reduce((sum, value) => sum + Math.exp(value - max), 0));
      return values.map((value) => value - logSum);
    });
  } finally {
    await context.dispose();
    await model.dispose();
  }
}

/** The TensorFlow.js forward pass (wasm backend must be active), with an optional LoRA adapter. */
export function tfjsLogProbabilities(
  config: LlamaConfig,
  weights: LlamaWeights,
  tokens: number[],
  adapter?: Pick<LoraAdapter, 'alpha' | 'tensors'>,
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

/** max |a - b| over every position and vocabulary entry. */
export function maxLogProbabilityDifference(ours: number[][], theirs: ArrayLike<number>[]): number {
  if (ours.length !== theirs.length) throw new Error(`${ours.length} positions against ${theirs.length}`);
  let max = 0;
  for (let t = 0; t < ours.length; t++) {
    for (let v = 0; v < ours[t]!.length; v++) max = Math.max(max, Math.abs(ours[t]![v]! - theirs[t]![v]!));
  }
  return max;
}
