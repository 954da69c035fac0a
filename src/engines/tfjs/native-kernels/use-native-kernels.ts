import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { heapTileConfig } from './heap-tile.js';
import { heapTransposeConfig } from './heap-transpose.js';
import { nativeBatchMatMulConfig } from './native-batch-matmul.js';
import { loadSystemBlas, type SystemBlas } from './system-blas.js';

/** Where training's matrix products run, as chosen by {@link useNativeKernels}. */
export type KernelPath =
  | { kind: 'native'; library: string; description: string; threads: number }
  | { kind: 'wasm'; reason: string };

export interface NativeKernelOptions {
  /** Threads for one matrix product; default: the cores available to this process. */
  threads?: number | undefined;
  /** Libraries to try, in order; default: the platform's optimized BLAS names. */
  libraries?: string[] | undefined;
}

let active: KernelPath = { kind: 'wasm', reason: 'native kernels not requested' };
/** The wasm kernels currently replaced, by name, to restore or to fall back on. */
const replaced = new Map<string, tf.KernelConfig>();
let loaded: SystemBlas | undefined;

/** The path the last {@link useNativeKernels} call chose (wasm until one is made). */
export function kernelPath(): KernelPath {
  return active;
}

/** True while matrix products run natively: transposed operands are then free (see linear.ts). */
export function nativeMatMulActive(): boolean {
  return active.kind === 'native';
}

/**
 * Run the wasm backend's matrix products (`BatchMatMul`) in a native, multi-threaded BLAS, and
 * its `Tile` and `Transpose` as copies in the heap (see heap-tile.ts, heap-transpose.ts).
 * Call after the wasm backend is selected. Returns the path taken: `wasm`, with the reason, when
 * no native library loads; the caller decides whether and how to tell the user (the library
 * never prints). Calling again changes the thread count; `threads: 0` is not allowed.
 */
export function useNativeKernels(options: NativeKernelOptions = {}): KernelPath {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1)
    throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (active.kind === 'native' && active.threads === threads && !options.libraries) return active;
  const path = installNativeKernels(threads, options.libraries);
  if (path.kind === 'wasm') useWasmKernels();
  active = path;
  return path;
}

function installNativeKernels(threads: number, libraries: string[] | undefined): KernelPath {
  if (tf.getBackend() !== 'wasm') {
    return { kind: 'wasm', reason: `the active TensorFlow.js backend is ${tf.getBackend()}, not wasm` };
  }
  const blas = (!libraries && loaded) || loadSystemBlas(libraries);
  if ('failures' in blas) {
    return {
      kind: 'wasm',
      reason:
        `no optimized BLAS with cblas_sgemm loaded; install OpenBLAS (Debian/Ubuntu: libopenblas0-pthread) ` +
        `(${blas.failures.join('; ')})`,
    };
  }
  const wasmKernel = (name: string) => replaced.get(name) ?? tf.getKernel(name, 'wasm');
  const matMul = wasmKernel('BatchMatMul');
  const tile = wasmKernel('Tile');
  const transpose = wasmKernel('Transpose');
  if (!matMul || !tile || !transpose) {
    return { kind: 'wasm', reason: 'the wasm backend lacks its BatchMatMul, Tile or Transpose kernel' };
  }
  loaded = blas;
  blas.setThreads?.(threads);
  for (const config of [
    nativeBatchMatMulConfig(blas.sgemm, matMul),
    heapTileConfig(tile),
    heapTransposeConfig(transpose),
  ]) {
    replaced.set(config.kernelName, wasmKernel(config.kernelName)!);
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  return { kind: 'native', library: blas.library, description: blas.description, threads };
}

/** Restore the wasm kernels (tests compare both paths in one process). */
export function useWasmKernels(): void {
  for (const [name, config] of replaced) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
  }
  replaced.clear();
  active = { kind: 'wasm', reason: 'wasm kernels selected' };
}
