import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type TransposeAttrs,
  util,
} from '@tensorflow/tfjs-core';
import { heapView, type WasmBackendInternals } from './wasm-heap.js';

/**
 * tfjs's `Transpose` over the wasm backend as one strided loop in the wasm heap. wasm's own kernel
 * spends about 10 ns an element (measured: 15% of a 0.5 M training step, from attention's head
 * reshapes and the head's transposes); a JIT-compiled loop over 4-byte views is several times
 * faster. Axes that stay adjacent merge first, so every permutation becomes at most four loops.
 * A bit copy: results are identical. Other dtypes and ranks above 4 after merging run wasm's.
 */
export function heapTransposeConfig(wasmKernel: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (parameters) => {
    const x = (parameters.inputs as { x: TensorInfo }).x;
    const { perm } = parameters.attrs as unknown as TransposeAttrs;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return wasmKernel.kernelFunc(parameters);
    // Merge input axes that follow each other in `perm`: [0, 2, 1, 3] on [B, T, H, D] stays, but
    // [1, 2, 0] on [A, B, C] becomes [1, 0] on [A, B * C].
    const groups: number[][] = [];
    for (const axis of perm) {
      const last = groups.at(-1);
      if (last && last.at(-1)! + 1 === axis) last.push(axis);
      else groups.push([axis]);
    }
    const byInput = [...groups].sort((a, b) => a[0]! - b[0]!);
    const shape = byInput.map((group) => group.reduce((size, axis) => size * x.shape[axis]!, 1));
    if (groups.length > 4) return wasmKernel.kernelFunc(parameters);
    const strides = shape.map((_, index) => util.sizeFromShape(shape.slice(index + 1)));
    // For each output axis (outermost first): its size and its stride in the input; pad to four.
    const order = groups.map((group) => byInput.indexOf(group));
    const sizes = [1, 1, 1, 1];
    const steps = [0, 0, 0, 0];
    order.forEach((inputAxis, index) => {
      sizes[4 - order.length + index] = shape[inputAxis]!;
      steps[4 - order.length + index] = strides[inputAxis]!;
    });
    const backend = parameters.backend as unknown as WasmBackendInternals;
    const out = backend.makeOutput(
      perm.map((axis) => x.shape[axis]!),
      x.dtype,
    );
    const asInt = (view: Float32Array) => new Int32Array(view.buffer, view.byteOffset, view.length);
    const source = asInt(heapView(backend, x));
    const target = asInt(heapView(backend, out));
    const [n0, n1, n2, n3] = sizes as [number, number, number, number];
    const [s0, s1, s2, s3] = steps as [number, number, number, number];
    let o = 0;
    for (let i0 = 0; i0 < n0; i0++) {
      for (let i1 = 0; i1 < n1; i1++) {
        for (let i2 = 0; i2 < n2; i2++) {
          let from = i0 * s0 + i1 * s1 + i2 * s2;
          if (s3 === 1) {
            target.set(source.subarray(from, from + n3), o);
            o += n3;
          } else {
            for (let i3 = 0; i3 < n3; i3++, from += s3) target[o++] = source[from]!;
          }
        }
      }
    }
    return out;
  };
  return { kernelName: wasmKernel.kernelName, backendName: 'wasm', kernelFunc };
}
