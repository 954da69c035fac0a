import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../../model/llama-config.js';
import { gaussian, randomLlamaWeights, seededRandom } from '../../model/random-weights.js';
import { LlamaNetwork, type TokenBatch, type TrainingMode } from './llama-network.js';
import { addLoraFactors } from './lora.js';
import { toParameterMap } from './parameter-layout.js';
import { smallLlamaConfig } from './synthetic-tasks.js';
import { useWasmBackend } from './wasm-backend.js';

beforeAll(useWasmBackend);

/**
 * Weights scaled up from the usual init so every part of the network (softmax, SwiGLU, norms)
 * is well away from linear; norm gains randomised so their gradients are not symmetric.
 */
function network(config: LlamaConfig, mode: TrainingMode): LlamaNetwork {
  const weights = randomLlamaWeights(config, 3);
  const normal = gaussian(seededRandom(5));
  for (const tensor of weights.values()) {
    for (let i = 0; i < tensor.data.length; i++) {
      tensor.data[i] = tensor.shape.length === 1 ? 1 + 0.3 * normal() : tensor.data[i]! * 10;
    }
  }
  const parameters = toParameterMap(weights);
  if (mode === 'lora') {
    addLoraFactors(parameters, config, { rank: 2, alpha: 4, targets: ['attn_q', 'attn_v', 'ffn_down'] }, 1);
    // B starts at zero; give it values so A's gradient is not trivially zero.
    for (const [name, tensor] of parameters) {
      if (name.endsWith('.lora_b'))
        parameters.set(name, tf.randomNormal(tensor.shape, 0, 0.5, 'float32', 11));
    }
  }
  return new LlamaNetwork(config, parameters, mode === 'lora' ? 2 : 1);
}

// Two right-padded sequences with repeated tokens (the embedding gradient must sum duplicates).
const batch: TokenBatch = {
  tokens: Int32Array.from([1, 2, 3, 4, 5, 3, 3, 7, 0, 0]),
  batch: 2,
  length: 5,
  lossRows: Int32Array.from([1, 2, 3, 5, 6]),
  targets: Int32Array.from([3, 4, 5, 3, 7]),
};

/**
 * Compare each analytic gradient with a central difference of the loss along a random unit
 * direction d: (L(p + e d) - L(p - e d)) / 2e against <g, d>. In float32 the difference is
 * good to about 1e-3 absolute; a wrong gradient is off by far more.
 */
function checkGradients(net: LlamaNetwork, mode: TrainingMode): number {
  const { loss, gradients } = net.lossAndGradients(batch, mode);
  expect(loss.dataSync()[0]).toBeCloseTo(net.loss(batch), 5);
  const step = 3e-3;
  for (const [name, gradient] of gradients) {
    const parameter = net.parameters.get(name)!;
    const direction = tf.tidy(() => {
      const raw = tf.randomNormal(parameter.shape, 0, 1, 'float32', 7);
      return tf.div(raw, tf.norm(raw));
    });
    const analytic = tf.tidy(() => tf.sum(tf.mul(gradient, direction)).dataSync()[0]!);
    net.parameters.set(name, tf.add(parameter, tf.mul(direction, step)));
    const plus = net.loss(batch);
    net.parameters.get(name)!.dispose();
    net.parameters.set(name, tf.sub(parameter, tf.mul(direction, step)));
    const minus = net.loss(batch);
    net.parameters.get(name)!.dispose();
    net.parameters.set(name, parameter);
    direction.dispose();
    const numeric = (plus - minus) / (2 * step);
    const tolerance = 3e-2 * Math.max(Math.abs(analytic), Math.abs(numeric)) + 2e-3;
    expect(Math.abs(analytic - numeric), `${name}: analytic ${analytic}, numeric ${numeric}`).toBeLessThan(
      tolerance,
    );
  }
  const count = gradients.size;
  loss.dispose();
  for (const gradient of gradients.values()) gradient.dispose();
  return count;
}

describe('explicit gradients against finite differences', () => {
  it('full fine-tuning, untied head, grouped-query attention', () => {
    const config = smallLlamaConfig({
      vocabSize: 11,
      embeddingLength: 8,
      headCount: 2,
      headCountKv: 1,
      feedForwardLength: 12,
      tiedOutput: false,
    });
    expect(checkGradients(network(config, 'full'), 'full')).toBe(2 * 9 + 3);
  });

  it('full fine-tuning, tied head (embedding gets lookup and head gradients)', () => {
    const config = smallLlamaConfig({
      vocabSize: 11,
      embeddingLength: 8,
      headCount: 2,
      headCountKv: 2,
      feedForwardLength: 12,
    });
    expect(checkGradients(network(config, 'full'), 'full')).toBe(2 * 9 + 2);
  });

  it('Qwen2 block: q/k/v biases, NEOX RoPE with linear scaling', () => {
    const config = smallLlamaConfig({
      architecture: 'qwen2',
      vocabSize: 11,
      embeddingLength: 8,
      headCount: 2,
      headCountKv: 1,
      feedForwardLength: 12,
      attentionBias: true,
      ropeFreqScale: 0.5,
    });
    expect(checkGradients(network(config, 'full'), 'full')).toBe(2 * 12 + 2);
  });

  it('Qwen3 block: per-head q/k RMS norms, heads wider than E/H; Llama 3 rope factors', () => {
    const qwen3 = smallLlamaConfig({
      architecture: 'qwen3',
      vocabSize: 11,
      embeddingLength: 8,
      headCount: 2,
      headCountKv: 1,
      headDimension: 8,
      feedForwardLength: 12,
    });
    expect(checkGradients(network(qwen3, 'full'), 'full')).toBe(2 * 11 + 2);
    const llama3 = smallLlamaConfig({
      vocabSize: 11,
      embeddingLength: 8,
      headCount: 2,
      headCountKv: 1,
      feedForwardLength: 12,
      ropeFrequencyFactors: [1, 4],
    });
    expect(checkGradients(network(llama3, 'full'), 'full')).toBe(2 * 9 + 2);
  });

  it('LoRA factors only', () => {
    const config = smallLlamaConfig({
      vocabSize: 11,
      embeddingLength: 8,
      headCount: 2,
      headCountKv: 1,
      feedForwardLength: 12,
    });
    expect(checkGradients(network(config, 'lora'), 'lora')).toBe(2 * 3 * 2);
  });
});

describe('the output head in chunks of loss rows', () => {
  it('gives the loss and gradients of the whole batch: a weighted sum of its parts', () => {
    const config = smallLlamaConfig({
      vocabSize: 11,
      embeddingLength: 8,
      headCount: 2,
      headCountKv: 1,
      feedForwardLength: 12,
    });
    const net = network(config, 'full');
    const random = seededRandom(9);
    // Two sequences of 300 positions, 280 and 150 loss rows: 430 rows, two chunks, and the parts
    // below one chunk each (except the first, which spans two on its own).
    const sequence = (answerFrom: number): TokenBatch => {
      const tokens = Int32Array.from({ length: 300 }, () => 1 + Math.floor(random() * 10));
      const rows = Int32Array.from({ length: 299 - answerFrom }, (_, index) => answerFrom + index);
      return { tokens, batch: 1, length: 300, lossRows: rows, targets: rows.map((row) => tokens[row + 1]!) };
    };
    const parts = [sequence(19), sequence(149)];
    const whole: TokenBatch = {
      tokens: Int32Array.from([...parts[0]!.tokens, ...parts[1]!.tokens]),
      batch: 2,
      length: 300,
      lossRows: Int32Array.from([...parts[0]!.lossRows, ...parts[1]!.lossRows.map((row) => row + 300)]),
      targets: Int32Array.from([...parts[0]!.targets, ...parts[1]!.targets]),
    };
    const total = whole.lossRows.length;
    const combined = net.lossAndGradients(whole, 'full');
    const separate = parts.map((part) => ({ part, ...net.lossAndGradients(part, 'full') }));
    const share = (part: TokenBatch) => part.lossRows.length / total;
    const expectedLoss = separate.reduce((sum, { part, loss }) => sum + share(part) * loss.dataSync()[0]!, 0);
    expect(combined.loss.dataSync()[0]).toBeCloseTo(expectedLoss, 4);
    for (const [name, gradient] of combined.gradients) {
      const expected = tf.tidy(() =>
        tf.addN(separate.map(({ part, gradients }) => tf.mul(gradients.get(name)!, share(part)))),
      );
      const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(gradient, expected))).dataSync()[0]!);
      const scale = tf.tidy(() => tf.max(tf.abs(expected)).dataSync()[0]!);
      expect(difference, name).toBeLessThan(1e-4 * Math.max(1, scale));
      expected.dispose();
    }
  });
});
