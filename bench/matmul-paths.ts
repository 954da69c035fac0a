/**
 * One matrix product (1024x256 @ 256x688, the engine-notes probe's shape) on each path the trainer
 * can take, in CPU time per call (steadier than wall time on a shared machine), plus what a
 * copying path and a koffi call would add.
 *
 *   npx tsx bench/matmul-paths.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadSystemBlas } from '../src/engines/tfjs/native-kernels/system-blas.js';
import { configureWasmBackend } from '../src/engines/tfjs/wasm-backend.js';

const [M, K, N] = [1024, 256, 688];
const flop = 2 * M * K * N;

function measure(name: string, run: () => void, count: number): void {
  run();
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) run();
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000 / count;
  const wallMs = (performance.now() - started) / count;
  console.log(`${name} | ${cpuMs.toFixed(3)} | ${(flop / cpuMs / 1e6).toFixed(0)} | ${wallMs.toFixed(3)}`);
}

console.log('path | CPU ms | GFLOP/s per CPU-second | wall ms');
console.log('---|---|---|---');
await configureWasmBackend({ kernels: 'wasm' });
const a = tf.randomNormal([M, K]);
const b = tf.randomNormal([K, N]);
measure('TensorFlow.js wasm tf.matMul', () => tf.matMul(a, b).dispose(), 10);
const path = await configureWasmBackend({ threads: 1 });
if (path.kind !== 'native') throw new Error(`no native path: ${path.reason}`);
measure(`tf.matMul on ${path.library}, heap views, 1 thread`, () => tf.matMul(a, b).dispose(), 30);
measure('the same, transposeB', () => tf.matMul(a, tf.transpose(b), false, true).dispose(), 30);
const blas = loadSystemBlas();
if ('failures' in blas) throw new Error(blas.failures.join('; '));
const left = new Float32Array(M * K).fill(1);
const right = new Float32Array(K * N).fill(1);
const product = new Float32Array(M * N);
measure(
  'cblas_sgemm on JS arrays, 1 thread',
  () => blas.sgemm(false, false, M, N, K, left, K, right, N, product, N),
  30,
);
const staging = new Float32Array(M * K + K * N + M * N);
measure(
  'copying inputs in and the output out once (what a copying path adds)',
  () => {
    staging.set(left);
    staging.set(right, M * K);
    product.set(staging.subarray(M * K + K * N));
  },
  100,
);
const one = new Float32Array(1);
measure(
  '1000 koffi calls (1x1x1 sgemm)',
  () => {
    for (let i = 0; i < 1000; i++) blas.sgemm(false, false, 1, 1, 1, one, 1, one, 1, one, 1);
  },
  10,
);
blas.setThreads?.(2);
measure(
  'cblas_sgemm on JS arrays, 2 threads',
  () => blas.sgemm(false, false, M, N, K, left, K, right, N, product, N),
  30,
);
