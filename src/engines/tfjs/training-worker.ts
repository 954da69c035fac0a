/**
 * Entry point of a training worker thread: one TensorFlow.js wasm instance (one core) running
 * one training job, reporting progress to the thread that started it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runTrainingJob } from './training-job.js';
import { serializeError, type WorkerMessage, type WorkerStart } from './worker-messages.js';

const start = workerData as WorkerStart;
const stop = new Int32Array(start.stopFlag);
const post = (message: WorkerMessage): void => parentPort?.postMessage(message);

runTrainingJob(start.request, {
  onProgress: (progress) => post({ type: 'progress', progress }),
  onNotice: (message) => post({ type: 'notice', message }),
  shouldStop: () => Atomics.load(stop, 0) === 1,
}).then(
  (result) => post({ type: 'done', result }),
  (error: unknown) => post({ type: 'error', error: serializeError(error) }),
);
