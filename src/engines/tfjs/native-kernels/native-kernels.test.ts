import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomLlamaWeights, seededRandom } from '../../../model/random-weights.js';
import { LlamaTrainer, type TrainerSettings } from '../llama-trainer.js';
import { smallLlamaConfig } from '../synthetic-tasks.js';
import { makeBatch, type TrainingExample } from '../training-example.js';
import { configureWasmBackend } from '../wasm-backend.js';
import { loadSystemBlas } from './system-blas.js';
import { kernelPath, useNativeKernels, useWasmKernels } from './use-native-kernels.js';

const blasPresent = !('failures' in loadSystemBlas());

beforeAll(() => configureWasmBackend({ kernels: 'wasm' }));
afterAll(() => configureWasmBackend({}));

const maxDifference = (
  a: Float32Array | Int32Array | Uint8Array,
  b: Float32Array | Int32Array | Uint8Array,
) => {
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i]! - b[i]!));
  return largest;
};

/** Values of `compute()` on wasm kernels and on native kernels. */
function bothPaths(compute: () => tf.Tensor, threads = 2): { wasm: Float32Array; native: Float32Array } {
  useWasmKernels();
  const wasm = tf.tidy(compute).dataSync() as Float32Array;
  expect(useNativeKernels({ threads }).kind).toBe('native');
  const native = tf.tidy(compute).dataSync() as Float32Array;
  useWasmKernels();
  return { wasm, native };
}

// CI installs OpenBLAS (.ci/run), so there a missing BLAS fails these tests instead of skipping them.
describe.skipIf(!blasPresent && !process.env.CI)('native matrix products (system BLAS present)', () => {
  it('equal the wasm kernel for every transpose flag, batched and broadcast shapes', () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[33, 17], [17, 9], false, false],
      [[17, 33], [17, 9], true, false],
      [[33, 17], [9, 17], false, true],
      [[17, 33], [9, 17], true, true],
      [[6, 12, 8], [6, 8, 5], false, false],
      [[6, 8, 12], [6, 5, 8], true, true],
      [[2, 3, 12, 8], [8, 5], false, false],
      [[1, 12, 8], [4, 8, 5], false, false],
    ];
    for (const [shapeA, shapeB, transposeA, transposeB] of cases) {
      const a = tf.randomNormal(shapeA, 0, 1, 'float32', 1);
      const b = tf.randomNormal(shapeB, 0, 1, 'float32', 2);
      const { wasm, native } = bothPaths(() => tf.matMul(a, b, transposeA, transposeB));
      expect(native.length).toBe(wasm.length);
      expect(maxDifference(native, wasm), `${shapeA} x ${shapeB} ${transposeA} ${transposeB}`).toBeLessThan(
        1e-5,
      );
      tf.dispose([a, b]);
    }
  });

  it('tile exactly as the wasm kernel does', () => {
    const cases: [number[], number[]][] = [
      [
        [2, 3, 1, 4, 5],
        [1, 1, 2, 1, 1],
      ],
      [
        [3, 4],
        [2, 3],
      ],
      [
        [2, 1, 3],
        [1, 4, 1],
      ],
      [[5], [3]],
    ];
    for (const [shape, reps] of cases) {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
      const { wasm, native } = bothPaths(() => tf.tile(x, reps));
      expect([...native], `${shape} x ${reps}`).toEqual([...wasm]);
      x.dispose();
    }
  });

  it('transpose exactly as the wasm kernel does', () => {
    const cases: [number[], number[]][] = [
      [
        [7, 5],
        [1, 0],
      ],
      [
        [2, 6, 3, 4],
        [0, 2, 1, 3],
      ],
      [
        [3, 4, 5],
        [1, 2, 0],
      ],
      [
        [3, 4, 5],
        [2, 1, 0],
      ],
      [
        [2, 3, 4, 5, 2],
        [4, 3, 2, 1, 0],
      ],
      [
        [4, 1, 3],
        [0, 1, 2],
      ],
    ];
    for (const [shape, perm] of cases) {
      const x = tf.randomNormal(shape, 0, 1, 'float32', 4);
      const { wasm, native } = bothPaths(() => tf.transpose(x, perm));
      expect([...native], `${shape} by ${perm}`).toEqual([...wasm]);
      x.dispose();
    }
  });

  it.each([
    ['full fine-tuning', undefined],
    ['LoRA', { rank: 4, alpha: 8, targets: ['attn_q', 'attn_v', 'ffn_down'] }],
  ] as const)(
    'train to the same losses and weights as the wasm kernels at one and two threads (%s)',
    (_, lora) => {
      const config = smallLlamaConfig({ vocabSize: 48, embeddingLength: 64, headCount: 4, headCountKv: 2 });
      const settings: TrainerSettings = {
        learningRate: 3e-3,
        warmupSteps: 0,
        totalSteps: 3,
        weightDecay: 0.01,
        gradientClipNorm: 1,
        seed: 1,
        ...(lora ? { lora: { ...lora, targets: [...lora.targets] } } : {}),
      };
      const random = seededRandom(9);
      const batches = Array.from({ length: 3 }, () =>
        makeBatch(
          Array.from(
            { length: 4 },
            (): TrainingExample => ({
              tokens: Int32Array.from({ length: 17 }, () => Math.floor(random() * config.vocabSize)),
              lossMask: new Uint8Array(17).fill(1),
            }),
          ),
        ),
      );
      const train = (threads: number | undefined) => {
        if (threads === undefined) useWasmKernels();
        else expect(useNativeKernels({ threads }).kind).toBe('native');
        const trainer = new LlamaTrainer(config, randomLlamaWeights(config, 2), settings);
        const losses = batches.map((batch) => trainer.trainStep(batch).loss);
        const weights = trainer.trainableSnapshot();
        trainer.dispose();
        useWasmKernels();
        return { losses, weights };
      };
      const wasm = train(undefined);
      for (const threads of [1, 2]) {
        const native = train(threads);
        for (let step = 0; step < 3; step++) expect(native.losses[step]).toBeCloseTo(wasm.losses[step]!, 5);
        for (const [name, tensor] of wasm.weights) {
          expect(maxDifference(native.weights.get(name)!.data, tensor.data), name).toBeLessThan(1e-5);
        }
      }
    },
  );
});

describe('without a native library', () => {
  it('falls back to the wasm kernels and says why', () => {
    const path = useNativeKernels({ libraries: ['libmedistill-no-such-blas.so'], threads: 1 });
    expect(path.kind).toBe('wasm');
    expect(path.kind === 'wasm' && path.reason).toMatch(/libmedistill-no-such-blas\.so/);
    expect(kernelPath()).toEqual(path);
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect([...product.dataSync()]).toEqual([11]);
  });
});
