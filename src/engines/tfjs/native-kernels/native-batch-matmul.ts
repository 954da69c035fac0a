import {
  type BatchMatMulAttrs,
  type BatchMatMulInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { Sgemm } from './system-blas.js';
import { heapView, type WasmBackendInternals } from './wasm-heap.js';

/**
 * tfjs's `BatchMatMul` (what `tf.matMul` runs) over the wasm backend, computed by a native GEMM
 * reading and writing the wasm heap in place. Transpose flags go to the GEMM, so transposed
 * operands cost nothing. Shapes the native path does not cover (non-float32, batch dimensions
 * that broadcast other than from 1) run the wasm kernel it replaced.
 */
export function nativeBatchMatMulConfig(sgemm: Sgemm, wasmKernel: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (parameters) => {
    const { a, b } = parameters.inputs as unknown as BatchMatMulInputs & { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = parameters.attrs as unknown as BatchMatMulAttrs;
    const batchA = util.sizeFromShape(a.shape.slice(0, -2));
    const batchB = util.sizeFromShape(b.shape.slice(0, -2));
    const sameBatch =
      a.shape.length === b.shape.length && util.arraysEqual(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(sameBatch || batchA === 1 || batchB === 1)) {
      return wasmKernel.kernelFunc(parameters);
    }
    const rankA = a.shape.length;
    const rankB = b.shape.length;
    const m = transposeA ? a.shape[rankA - 1]! : a.shape[rankA - 2]!;
    const k = transposeA ? a.shape[rankA - 2]! : a.shape[rankA - 1]!;
    const kB = transposeB ? b.shape[rankB - 1]! : b.shape[rankB - 2]!;
    const n = transposeB ? b.shape[rankB - 2]! : b.shape[rankB - 1]!;
    if (k !== kB) {
      throw new Error(
        `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
          `and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
      );
    }
    const outerShape = (batchA >= batchB ? a : b).shape.slice(0, -2);
    const backend = parameters.backend as unknown as WasmBackendInternals;
    // The output first: allocating may grow the heap, which replaces its ArrayBuffer.
    const out = backend.makeOutput([...outerShape, m, n], 'float32');
    const count = Math.max(batchA, batchB);
    if (m * n === 0) return out;
    const aData = heapView(backend, a);
    const bData = heapView(backend, b);
    const outData = heapView(backend, out);
    const lda = transposeA ? m : k;
    const ldb = transposeB ? k : n;
    for (let index = 0; index < count; index++) {
      const aSlice = batchA === 1 ? aData : aData.subarray(index * m * k, (index + 1) * m * k);
      const bSlice = batchB === 1 ? bData : bData.subarray(index * k * n, (index + 1) * k * n);
      const outSlice = count === 1 ? outData : outData.subarray(index * m * n, (index + 1) * m * n);
      sgemm(transposeA, transposeB, m, n, k, aSlice, lda, bSlice, ldb, outSlice, n);
    }
    return out;
  };
  return { kernelName: wasmKernel.kernelName, backendName: 'wasm', kernelFunc };
}
