import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomLlamaWeights, seededRandom } from '../../model/random-weights.js';
import { LlamaNetwork } from './llama-network.js';
import { disposeParameters, toParameterMap } from './parameter-layout.js';
import { copyTaskExample, scaleMatrices, smallLlamaConfig } from './synthetic-tasks.js';
import { makeBatch, type TrainingExample } from './training-example.js';
import { useWasmBackend } from './wasm-backend.js';

const config = smallLlamaConfig({ embeddingLength: 32, feedForwardLength: 64, headCount: 2, headCountKv: 2 });
let network: LlamaNetwork;

beforeAll(async () => {
  await useWasmBackend();
  const weights = randomLlamaWeights(config, 2);
  // Larger weights than the default init, so predictions differ clearly between positions.
  scaleMatrices(weights, 20);
  network = new LlamaNetwork(config, toParameterMap(weights));
});
afterAll(() => {
  network.dispose();
  disposeParameters(network.parameters);
});

/** Mean negative log-likelihood of the answer tokens, computed by hand from full logits. */
function manualLoss(examples: TrainingExample[]): number {
  let total = 0;
  let count = 0;
  for (const example of examples) {
    const inputLength = example.tokens.length - 1;
    const logits = network.logits(example.tokens.subarray(0, inputLength), 1, inputLength);
    const rows = logits.arraySync();
    logits.dispose();
    for (let j = 0; j < inputLength; j++) {
      if (!example.lossMask[j + 1]) continue;
      const row = rows[j]!;
      const max = Math.max(...row);
      const logSum = max + Math.log(row.reduce((sum, value) => sum + Math.exp(value - max), 0));
      total += logSum - row[example.tokens[j + 1]!]!;
      count++;
    }
  }
  return total / count;
}

describe('answer-only loss', () => {
  const random = seededRandom(3);
  const short = copyTaskExample(random, config.vocabSize, 4);
  const long = copyTaskExample(random, config.vocabSize, 9);

  it('equals the mean negative log-likelihood over answer tokens only, pads excluded', () => {
    const batched = network.loss(makeBatch([short, long]));
    expect(batched).toBeCloseTo(manualLoss([short, long]), 5);
    // The short example is padded inside the batch; alone it is not. Same per-token losses.
    const alone = network.loss(makeBatch([short]));
    expect(alone).toBeCloseTo(manualLoss([short]), 5);
  });

  it('ignores prompt targets and what follows the answer', () => {
    const base = network.loss(makeBatch([short]));
    // Unmasked trailing tokens are inputs to nothing that is scored (attention is causal).
    const tokens = Int32Array.from([...short.tokens, 7, 9, 11]);
    const lossMask = Uint8Array.from([...short.lossMask, 0, 0, 0]);
    expect(network.loss(makeBatch([{ tokens, lossMask }]))).toBeCloseTo(base, 6);
    // Pad tokens are never attended to by real positions: a different pad id changes nothing.
    const other = makeBatch([short, long], 17);
    expect(network.loss(other)).toBeCloseTo(network.loss(makeBatch([short, long])), 6);
  });

  it('changes when an answer token changes; unscored rows contribute no gradient', () => {
    const changed = { tokens: short.tokens.slice(), lossMask: short.lossMask };
    changed.tokens[changed.tokens.length - 1] = (changed.tokens.at(-1)! % (config.vocabSize - 3)) + 3;
    expect(network.loss(makeBatch([changed]))).not.toBeCloseTo(network.loss(makeBatch([short])), 4);
    expect([...makeBatch([short]).lossRows]).toEqual([5, 6, 7, 8]);
    // Trailing unmasked tokens and padding add rows to the batch but must add no gradient.
    const padded = {
      tokens: Int32Array.from([...short.tokens, 7, 9, 11]),
      lossMask: Uint8Array.from([...short.lossMask, 0, 0, 0]),
    };
    const plain = network.lossAndGradients(makeBatch([short]), 'full');
    const extended = network.lossAndGradients(makeBatch([padded]), 'full');
    for (const [name, gradient] of plain.gradients) {
      const difference = tf.tidy(
        () => tf.max(tf.abs(tf.sub(gradient, extended.gradients.get(name)!))).dataSync()[0]!,
      );
      // Float tolerance: a native BLAS sums the extra (zero) rows in another order than wasm does,
      // which moves results by about 1e-6; a padded row that did contribute would add about 1e-3.
      expect(difference, name).toBeLessThan(1e-5);
    }
    tf.dispose([plain.loss, extended.loss, ...plain.gradients.values(), ...extended.gradients.values()]);
  });
});
