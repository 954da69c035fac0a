import type { KernelConfig, KernelFunc, TensorInfo, TransposeAttrs } from '@tensorflow/tfjs-core';
import { heapView, type WasmBackendInternals } from './wasm-heap.js';

/**
 * tfjs's `Transpose` over the wasm backend, for permutations that are a 2-D transpose once
 * adjacent axes merge ([R, C] -> [C, R]; [1, 2, 0] on [A, B, C] is [A, B * C] -> [B * C, A]),
 * as one loop in the wasm heap. wasm's own kernel takes about 8 ns an element there
 * (a 1024 x 1024 transpose: 8.0 ms of CPU against 3.0-3.4 here, measured); its other permutations
 * (attention's [0, 2, 1, 3]) are fast and stay on wasm. A bit copy: results are identical.
 */
export function heapTransposeConfig(wasmKernel: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (parameters) => {
    const x = (parameters.inputs as { x: TensorInfo }).x;
    const { perm } = parameters.attrs as unknown as TransposeAttrs;
    // Axes that follow each other in `perm` move together: merge them.
    const groups: number[][] = [];
    for (const axis of perm) {
      const last = groups.at(-1);
      if (last && last.at(-1)! + 1 === axis) last.push(axis);
      else groups.push([axis]);
    }
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || groups.length !== 2) {
      return wasmKernel.kernelFunc(parameters);
    }
    // Output [C, R] from input [R, C]: the first output group is the input's trailing axes.
    const columns = groups[0]!.reduce((product, axis) => product * x.shape[axis]!, 1);
    const backend = parameters.backend as unknown as WasmBackendInternals;
    const out = backend.makeOutput(
      perm.map((axis) => x.shape[axis]!),
      x.dtype,
    );
    const asInt = (view: Float32Array) => new Int32Array(view.buffer, view.byteOffset, view.length);
    const source = asInt(heapView(backend, x));
    const target = asInt(heapView(backend, out));
    // Contiguous writes, strided reads (measured faster here than square tiles).
    let o = 0;
    for (let c = 0; c < columns; c++) {
      for (let from = c; from < source.length; from += columns) target[o++] = source[from]!;
    }
    return out;
  };
  return { kernelName: wasmKernel.kernelName, backendName: 'wasm', kernelFunc };
}
