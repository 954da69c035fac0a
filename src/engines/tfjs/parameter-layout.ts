import * as tf from '@tensorflow/tfjs-core';
import type { LlamaWeights, WeightTensor } from '../../model/llama-config.js';

/** Trainable and frozen tensors by GGUF name, in the trainer's internal layout. */
export type ParameterMap = Map<string, tf.Tensor>;

export const TOKEN_EMBEDDING = 'token_embd.weight';

/**
 * A ggml matrix of shape [in, out] is stored as `out` rows of `in` values. The trainer keeps every
 * projection as a row-major [in, out] tensor instead, so forward passes are `x @ W` with no
 * transpose flags (wasm's matmul is several times slower with them). The token embedding is the
 * exception: its ggml rows are already one vector per token, the layout a lookup wants.
 */
export function toInternalTensor(name: string, tensor: WeightTensor): tf.Tensor {
  if (tensor.shape.length === 1) return tf.tensor1d(tensor.data);
  const [inner, outer] = tensor.shape as [number, number];
  const rows = tf.tensor2d(tensor.data, [outer, inner]);
  if (name === TOKEN_EMBEDDING) return rows;
  const transposed = tf.transpose(rows);
  rows.dispose();
  return transposed;
}

/** The inverse of {@link toInternalTensor}: F32 data in ggml order, with its ggml shape. */
export function toGgmlTensor(name: string, tensor: tf.Tensor): WeightTensor {
  if (tensor.rank === 1) return { shape: [tensor.shape[0]!], data: Float32Array.from(tensor.dataSync()) };
  const [first, second] = tensor.shape as [number, number];
  if (name === TOKEN_EMBEDDING) return { shape: [second, first], data: Float32Array.from(tensor.dataSync()) };
  const rows = tf.transpose(tensor);
  const data = Float32Array.from(rows.dataSync());
  rows.dispose();
  return { shape: [first, second], data };
}

export function toParameterMap(weights: LlamaWeights): ParameterMap {
  const parameters: ParameterMap = new Map();
  for (const [name, tensor] of weights) parameters.set(name, toInternalTensor(name, tensor));
  return parameters;
}

export function toLlamaWeights(parameters: ParameterMap): LlamaWeights {
  const weights: LlamaWeights = new Map();
  for (const [name, tensor] of parameters) weights.set(name, toGgmlTensor(name, tensor));
  return weights;
}

export function disposeParameters(parameters: ParameterMap): void {
  for (const tensor of parameters.values()) tensor.dispose();
  parameters.clear();
}
