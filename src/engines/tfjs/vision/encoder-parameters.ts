import * as tf from '@tensorflow/tfjs-core';
import type { LlamaWeights } from '../../../model/llama-config.js';
import type { ParameterMap } from '../parameter-layout.js';

const POSITIONS = 'v.position_embd.weight';

/** Whether a tensor name belongs to the image encoder or projector (mmproj), not the text model. */
export const isVisionTensor = (name: string): boolean => name.startsWith('v.') || name.startsWith('mm.');

/**
 * mmproj tensors in the trainer's layout: matrices as row-major [in, out] (the patch kernel
 * [P, P, 3, E] as [3*P*P, E]), position embeddings as one row per position [N, E], vectors as they are.
 */
export function toEncoderParameters(weights: LlamaWeights): ParameterMap {
  const parameters: ParameterMap = new Map();
  for (const [name, tensor] of weights) {
    if (tensor.shape.length === 1) {
      parameters.set(name, tf.tensor1d(tensor.data));
      continue;
    }
    const outer = tensor.shape[tensor.shape.length - 1]!;
    const inner = tensor.data.length / outer;
    const rows = tf.tensor2d(tensor.data, [outer, inner]);
    if (name === POSITIONS) parameters.set(name, rows);
    else {
      parameters.set(name, tf.transpose(rows));
      rows.dispose();
    }
  }
  return parameters;
}

/** The inverse of {@link toEncoderParameters}, given the tensors' ggml shapes. */
export function toProjectorWeights(parameters: ParameterMap, shapes: Map<string, number[]>): LlamaWeights {
  const weights: LlamaWeights = new Map();
  for (const [name, shape] of shapes) {
    const tensor = parameters.get(name);
    if (!tensor) throw new Error(`parameter ${name} is missing`);
    const ggmlOrder = tensor.rank === 1 || name === POSITIONS ? tensor : tf.transpose(tensor);
    weights.set(name, { shape, data: Float32Array.from(ggmlOrder.dataSync()) });
    if (ggmlOrder !== tensor) ggmlOrder.dispose();
  }
  return weights;
}
