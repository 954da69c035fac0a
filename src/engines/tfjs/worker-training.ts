import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AbortedError, TrainingError } from '../../errors.js';
import type { TrainingProgress, TrainingResult } from '../../training/training-engine.js';
import type { TrainingJobRequest } from './training-job.js';
import { deserializeError, type WorkerMessage, type WorkerStart } from './worker-messages.js';

/** How long a cancelled worker may take to reach a step boundary before it is terminated. */
const CANCEL_GRACE_MS = 30_000;

/**
 * Start the worker entry beside this file. In the built package it is plain JavaScript. From
 * source (vitest, tsx) it is a .ts file, and `execArgv: ['--import', 'tsx']` does not reach a
 * worker's module loader on Node 20 ("Unknown file extension .ts"), so a small bootstrap
 * registers tsx's loader inside the worker first and then imports the entry.
 */
/** tsx's ESM register API (its CommonJS twin cannot register hooks when imported from a worker). */
export function tsxEsmApiPath(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = require(manifestPath) as { exports?: Record<string, { import?: { default?: string } }> };
  const entry = manifest.exports?.['./esm/api']?.import?.default;
  if (!entry) throw new TrainingError('cannot locate tsx/esm/api to run the training worker from source');
  return join(dirname(manifestPath), entry);
}

function startWorker(workerData: WorkerStart): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./training-worker.js', import.meta.url), { workerData });
  const entry = new URL('./training-worker.ts', import.meta.url).href;
  const tsx = pathToFileURL(tsxEsmApiPath()).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Run a training job in its own worker thread. wasm TensorFlow.js uses one core per instance, so
 * independent jobs started together run side by side. Aborting `signal` stops the job at the
 * next step boundary (the latest checkpoint stays for a resume) and rejects with AbortedError.
 */
export function trainInWorker(
  request: TrainingJobRequest,
  options: {
    signal?: AbortSignal;
    onProgress?: (progress: TrainingProgress) => void;
    onNotice?: (message: string) => void;
  } = {},
): Promise<TrainingResult> {
  const { signal, onProgress, onNotice } = options;
  if (signal?.aborted) return Promise.reject(new AbortedError('training was cancelled before it started'));
  const stopFlag = new SharedArrayBuffer(4);
  const worker = startWorker({ request, stopFlag });
  return new Promise<TrainingResult>((resolve, reject) => {
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      void worker.terminate();
      outcome();
    };
    const onAbort = (): void => {
      Atomics.store(new Int32Array(stopFlag), 0, 1);
      killTimer = setTimeout(
        () => finish(() => reject(new AbortedError('training was cancelled'))),
        CANCEL_GRACE_MS,
      );
      killTimer.unref();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress?.(message.progress);
      else if (message.type === 'notice') onNotice?.(message.message);
      else if (message.type === 'done') finish(() => resolve(message.result));
      else finish(() => reject(deserializeError(message.error)));
    });
    worker.on('error', (error) =>
      finish(() =>
        reject(new TrainingError(`the training worker crashed: ${error.message}`, { cause: error })),
      ),
    );
    worker.on('exit', (code) =>
      finish(() => reject(new TrainingError(`the training worker exited (code ${code}) without a result`))),
    );
  });
}
