import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { type KernelPath, useNativeKernels, useWasmKernels } from './native-kernels/use-native-kernels.js';

export interface WasmBackendOptions {
  /** `auto` (default): matrix products in a native BLAS where one loads; `wasm`: wasm only. */
  kernels?: 'auto' | 'wasm' | undefined;
  /** Threads for the native matrix products; default: the cores available. */
  threads?: number | undefined;
}

/**
 * Select TensorFlow.js's wasm backend for this thread (each worker thread has its own tfjs).
 *
 * The .wasm binaries are located in the installed package, so the backend works from the source
 * tree, from the built package and inside worker threads alike. Under Node the wasm backend runs
 * one thread (its multithreaded build needs cross-origin isolation, which Node lacks), so
 * parallelism comes from running independent trainings in separate workers.
 *
 * No gradient registrations are needed: the trainer computes its backward pass explicitly
 * (see llama-network.ts), which also keeps the CommonJS build of tfjs-core usable from plain Node,
 * where the ESM-only `register_all_gradients` module cannot be imported.
 *
 * The matrix products (most of a training step) then move to a native BLAS, multi-threaded, when
 * one loads (see native-kernels/): the graph and its results stay the same within float rounding.
 * Returns the path taken; a `wasm` path carries the reason, for the caller to report.
 */
export function useWasmBackend(): Promise<KernelPath> {
  return configureWasmBackend({});
}

/** {@link useWasmBackend} with a kernel choice and a thread count. */
export async function configureWasmBackend(options: WasmBackendOptions): Promise<KernelPath> {
  if (tf.getBackend() !== 'wasm') await startWasmBackend();
  if (options.kernels === 'wasm') {
    useWasmKernels();
    return { kind: 'wasm', reason: 'wasm kernels were asked for' };
  }
  return useNativeKernels({ threads: options.threads });
}

async function startWasmBackend(): Promise<void> {
  const require = createRequire(import.meta.url);
  const packageDirectory = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  // A directory prefix (trailing slash): the Node build of the backend reads the binaries from disk.
  setWasmPaths(`${join(packageDirectory, 'dist')}/`);
  const before = processErrorListeners();
  try {
    const selected = await tf.setBackend('wasm');
    if (!selected) throw new Error('TensorFlow.js could not start its wasm backend');
    await tf.ready();
  } finally {
    removeListenersAddedSince(before);
  }
}

const PROCESS_ERROR_EVENTS: readonly string[] = ['uncaughtException', 'unhandledRejection'];
// The plain emitter view: Node's typings of `process` only take the names of signals here.
const processEvents: EventEmitter = process;

function processErrorListeners(): Map<string, unknown[]> {
  return new Map(PROCESS_ERROR_EVENTS.map((event) => [event, processEvents.listeners(event)]));
}

/**
 * The backend's Emscripten glue registers process-wide listeners that rethrow: from then on any
 * unhandled rejection anywhere in the host ends the process (exit code 7), whatever handlers the
 * host has. Error handling belongs to the application, so they are removed again.
 */
function removeListenersAddedSince(before: Map<string, unknown[]>): void {
  for (const [event, earlier] of before)
    for (const listener of processEvents.listeners(event))
      if (!earlier.includes(listener))
        processEvents.removeListener(event, listener as (...args: unknown[]) => void);
}
