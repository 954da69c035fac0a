/**
 * Where a training step's time goes, by TensorFlow.js kernel, for each bench model.
 *
 *   npx tsx bench/training-profile.ts [--models 0.5M,4M,30M,30M-lora] [--batch 16] [--length 64]
 *                                     [--threads 1 | --wasm]
 *
 * Every kernel the active backend registers is wrapped with a timer (the wasm kernels run
 * synchronously, so the wall time of a kernel call is its cost). Two warm-up steps, then the
 * bench's step count; prints each kernel's share of the kernel time, largest first.
 */

import * as tf from '@tensorflow/tfjs-core';
import { makeBatch } from '../src/engines/tfjs/training-example.js';
import { configureWasmBackend } from '../src/engines/tfjs/wasm-backend.js';
import { seededRandom } from '../src/model/random-weights.js';
import { createBenchTrainer, MODELS, randomExamples } from './training-models.js';

const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
};
const batchSize = Number(argument('batch', '16'));
const length = Number(argument('length', '64'));
const WARMUP_STEPS = 2;

/** Wraps every kernel of `backend` with a timer; returns the totals (ms) by kernel name. */
function timeKernels(backend: string): Map<string, { ms: number; calls: number }> {
  const totals = new Map<string, { ms: number; calls: number }>();
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (parameters) => {
        const started = performance.now();
        const result = inner(parameters);
        const entry = totals.get(config.kernelName) ?? { ms: 0, calls: 0 };
        entry.ms += performance.now() - started;
        entry.calls++;
        totals.set(config.kernelName, entry);
        return result;
      },
    });
  }
  return totals;
}

console.log(
  JSON.stringify(
    await configureWasmBackend(
      process.argv.includes('--wasm') ? { kernels: 'wasm' } : { threads: Number(argument('threads', '1')) },
    ),
  ),
);
const totals = timeKernels(tf.getBackend());
const names = argument('models', MODELS.map((model) => model.name).join(',')).split(',');
for (const model of MODELS.filter((candidate) => names.includes(candidate.name))) {
  const steps = WARMUP_STEPS + model.steps;
  const trainer = createBenchTrainer(model, steps);
  const random = seededRandom(3);
  let started = 0;
  for (let step = 0; step < steps; step++) {
    if (step === WARMUP_STEPS) {
      totals.clear();
      started = performance.now();
    }
    trainer.trainStep(makeBatch(randomExamples(random, model.config.vocabSize, batchSize, length)));
  }
  const wall = performance.now() - started;
  const kernelTime = [...totals.values()].reduce((sum, entry) => sum + entry.ms, 0);
  console.log(
    `\n${model.name}: ${((batchSize * length * model.steps) / (wall / 1000)).toFixed(0)} tok/s, ` +
      `${(wall / model.steps).toFixed(0)} ms/step, kernels ${((100 * kernelTime) / wall).toFixed(0)}% of wall`,
  );
  console.log('kernel | ms/step | calls/step | share of kernel time');
  for (const [name, entry] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 14)) {
    console.log(
      `${name} | ${(entry.ms / model.steps).toFixed(1)} | ${(entry.calls / model.steps).toFixed(0)} | ${((100 * entry.ms) / kernelTime).toFixed(1)}%`,
    );
  }
}
