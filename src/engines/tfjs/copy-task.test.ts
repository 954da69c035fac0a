import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomLlamaWeights, seededRandom } from '../../model/random-weights.js';
import { LlamaTrainer } from './llama-trainer.js';
import { copyTaskExample, smallLlamaConfig } from './synthetic-tasks.js';
import { makeBatch } from './training-example.js';
import { useWasmBackend } from './wasm-backend.js';

beforeAll(useWasmBackend);

/** Greedy generation of the copy, token by token, from the prompt alone. */
function generateCopy(trainer: LlamaTrainer, prompt: number[], count: number): number[] {
  const sequence = [...prompt];
  for (let i = 0; i < count; i++) {
    const logits = trainer.network.logits(Int32Array.from(sequence), 1, sequence.length);
    const next = tf.tidy(
      () => tf.argMax(tf.slice(logits, [sequence.length - 1, 0], [1, -1]), -1).dataSync()[0]!,
    );
    logits.dispose();
    sequence.push(next);
  }
  return sequence.slice(prompt.length);
}

describe('a tiny Llama learns to copy with answer-only loss', () => {
  it('reaches near-perfect copies of fresh sequences in 60 steps', () => {
    const config = smallLlamaConfig();
    const steps = 60;
    const half = 15;
    const trainer = new LlamaTrainer(config, randomLlamaWeights(config, 1), {
      learningRate: 3e-3,
      warmupSteps: 10,
      totalSteps: steps,
      weightDecay: 0,
      gradientClipNorm: 1,
      seed: 1,
    });
    const random = seededRandom(9);
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      const batch = makeBatch(
        Array.from({ length: 32 }, () => copyTaskExample(random, config.vocabSize, half)),
      );
      losses.push(trainer.trainStep(batch).loss);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 10);
    // Fresh sequences (a different generator), copied by greedy generation.
    const fresh = seededRandom(1234);
    let exact = 0;
    const trials = 20;
    for (let i = 0; i < trials; i++) {
      const example = copyTaskExample(fresh, config.vocabSize, half);
      const prompt = [...example.tokens.subarray(0, half + 2)];
      const copy = generateCopy(trainer, prompt, half);
      if (copy.join(',') === [...example.tokens.subarray(half + 2)].join(',')) exact++;
    }
    expect(exact / trials).toBeGreaterThanOrEqual(0.9);
    trainer.dispose();
  });
});
