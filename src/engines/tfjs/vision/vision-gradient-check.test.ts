import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussian, randomLlamaWeights, seededRandom } from '../../../model/random-weights.js';
import { randomVisionProjectorTensors, visionProjectorConfig } from '../../../model/vision-projector.js';
import { LlamaTrainer } from '../llama-trainer.js';
import { smallLlamaConfig } from '../synthetic-tasks.js';
import { makeBatch } from '../training-example.js';
import { useWasmBackend } from '../wasm-backend.js';
import type { EncoderTrainingMode } from './image-encoder.js';
import type { ImageEncoderConfig } from './projector-file.js';

beforeAll(useWasmBackend);

const textConfig = smallLlamaConfig({
  vocabSize: 11,
  embeddingLength: 8,
  headCount: 2,
  headCountKv: 2,
  feedForwardLength: 12,
  tiedOutput: false,
});

/** 8 px images, 4 px patches (4 image tokens), width 8, 3 blocks of which the graph runs 2. */
const projector = visionProjectorConfig({
  textEmbeddingLength: 8,
  imageSize: 8,
  patchSize: 4,
  embeddingLength: 8,
  feedForwardLength: 12,
  blockCount: 3,
  headCount: 2,
  complete: true,
});
const encoderConfig: ImageEncoderConfig = {
  ...projector,
  layerNormEpsilon: 1e-6,
  imageMean: [0.5, 0.5, 0.5],
  imageStd: [0.25, 0.25, 0.25],
  activation: 'gelu',
  projectionLength: 8,
};

function trainer(mode: EncoderTrainingMode, activation: ImageEncoderConfig['activation']): LlamaTrainer {
  const normal = gaussian(seededRandom(5));
  // Norm gains and biases away from 1 and 0, so their gradients are not trivially symmetric.
  const weights = new Map(
    randomVisionProjectorTensors(projector, 3).map((tensor) => {
      const data = tensor.data.map((value) =>
        tensor.shape.length === 1
          ? value + 0.3 * normal()
          : value * (tensor.name.startsWith('v.position') ? 30 : 1.5),
      );
      return [tensor.name, { shape: tensor.shape, data }] as const;
    }),
  );
  const text = randomLlamaWeights(textConfig, 3);
  for (const tensor of text.values())
    for (let i = 0; i < tensor.data.length; i++) tensor.data[i]! *= tensor.shape.length === 1 ? 1 : 10;
  const result = new LlamaTrainer(textConfig, text, {
    learningRate: 1e-3,
    warmupSteps: 0,
    totalSteps: 1,
    weightDecay: 0,
    gradientClipNorm: 0,
    seed: 1,
    vision: {
      config: { ...encoderConfig, activation },
      weights,
      mode,
      lora: { rank: 2, alpha: 4 },
      smooth: true,
    },
  });
  if (mode === 'lora') {
    // B starts at zero; give it values so A's gradient is not trivially zero.
    for (const [name, tensor] of result.network.parameters)
      if (name.endsWith('.lora_b'))
        result.network.parameters.set(name, tf.randomNormal(tensor.shape, 0, 0.5, 'float32', 11));
  }
  return result;
}

function image(seed: number): Float32Array {
  const normal = gaussian(seededRandom(seed));
  return Float32Array.from({ length: 3 * 8 * 8 }, () => normal());
}

// Two sequences; the first holds one image at positions 1..4, the second two images.
const batch = makeBatch([
  {
    tokens: Int32Array.from([1, 0, 0, 0, 0, 2, 3, 4, 5]),
    lossMask: Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1]),
    images: [{ position: 1, pixels: image(1) }],
  },
  {
    tokens: Int32Array.from([0, 0, 0, 0, 6, 0, 0, 0, 0, 7, 8]),
    lossMask: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]),
    images: [
      { position: 0, pixels: image(2) },
      { position: 5, pixels: image(3) },
    ],
  },
]);

/** Central differences along a random unit direction against <g, d>, per vision tensor. */
function checkVisionGradients(net: LlamaTrainer): string[] {
  const { loss, gradients } = net.lossAndGradients(batch);
  expect(loss.dataSync()[0]).toBeCloseTo(net.batchLoss(batch), 5);
  const parameters = net.network.parameters;
  const checked: string[] = [];
  const step = 3e-3;
  for (const [name, gradient] of gradients) {
    if (!name.startsWith('v.') && !name.startsWith('mm.')) continue;
    const parameter = parameters.get(name)!;
    const direction = tf.tidy(() => {
      const raw = tf.randomNormal(parameter.shape, 0, 1, 'float32', 7);
      return tf.div(raw, tf.norm(raw));
    });
    const analytic = tf.tidy(() => tf.sum(tf.mul(gradient, direction)).dataSync()[0]!);
    parameters.set(name, tf.add(parameter, tf.mul(direction, step)));
    const plus = net.batchLoss(batch);
    parameters.get(name)!.dispose();
    parameters.set(name, tf.sub(parameter, tf.mul(direction, step)));
    const minus = net.batchLoss(batch);
    parameters.get(name)!.dispose();
    parameters.set(name, parameter);
    direction.dispose();
    const numeric = (plus - minus) / (2 * step);
    const tolerance = 3e-2 * Math.max(Math.abs(analytic), Math.abs(numeric)) + 2e-3;
    expect(Math.abs(analytic - numeric), `${name}: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(
      tolerance,
    );
    checked.push(name);
  }
  loss.dispose();
  for (const gradient of gradients.values()) gradient.dispose();
  return checked;
}

describe('vision encoder and projector gradients against finite differences', () => {
  it('full: patch kernel, positions, norms, biases, attention, GELU feed-forward, projector', () => {
    const checked = checkVisionGradients(trainer('full', 'gelu'));
    // 2 (patch kernel, positions) + 2 (pre_ln) + 2 blocks x 16 + 4 (projector); the last block is never run.
    expect(checked).toHaveLength(2 + 2 + 2 * 16 + 4);
    expect(checked.some((name) => name.startsWith('v.blk.2.'))).toBe(false);
  });

  it('GELU-quick encoders; projector only', () => {
    expect(checkVisionGradients(trainer('full', 'gelu_quick'))).toHaveLength(40);
    expect(checkVisionGradients(trainer('projector', 'gelu')).sort()).toEqual([
      'mm.0.bias',
      'mm.0.weight',
      'mm.2.bias',
      'mm.2.weight',
    ]);
  });

  it('LoRA factors on the encoder and projector matrices', () => {
    expect(checkVisionGradients(trainer('lora', 'gelu'))).toHaveLength(2 * (2 * 6 + 2));
  });
});
