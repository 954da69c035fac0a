import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type TileAttrs,
  util,
} from '@tensorflow/tfjs-core';
import { heapView, type WasmBackendInternals } from './wasm-heap.js';

/**
 * tfjs's `Tile` over the wasm backend as block copies in the wasm heap. wasm's own Tile computes
 * every output element's coordinates (about 200 ns an element, measured: 22% of a 30 M training
 * step, where grouped-query attention repeats K and V). Here adjacent untiled dimensions merge
 * into one contiguous run, each run is copied once, and each tiled block is then replicated
 * with `copyWithin`. A bit copy: results are identical. Other dtypes run the wasm kernel.
 */
export function heapTileConfig(wasmKernel: KernelConfig): KernelConfig {
  const kernelFunc: KernelFunc = (parameters) => {
    const x = (parameters.inputs as { x: TensorInfo }).x;
    const { reps } = parameters.attrs as unknown as TileAttrs;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || reps.length !== x.shape.length) {
      return wasmKernel.kernelFunc(parameters);
    }
    const backend = parameters.backend as unknown as WasmBackendInternals;
    const out = backend.makeOutput(
      x.shape.map((size, axis) => size * reps[axis]!),
      x.dtype,
    );
    if (util.sizeFromShape(out.shape) === 0) return out;
    // Merge each run of untiled dimensions into its neighbour: [B, H, 1, T, D] x [1, 1, 2, 1, 1]
    // becomes [B * H, 1, T * D] x [1, 2, 1].
    const shape: number[] = [];
    const times: number[] = [];
    x.shape.forEach((size, axis) => {
      const rep = reps[axis]!;
      if (shape.length > 0 && rep === 1 && times.at(-1) === 1) shape[shape.length - 1]! *= size;
      else {
        shape.push(size);
        times.push(rep);
      }
    });
    const asInt = (view: Float32Array) => new Int32Array(view.buffer, view.byteOffset, view.length);
    const source = asInt(heapView(backend, x));
    const target = asInt(heapView(backend, out));
    const sourceStride = shape.map((_, axis) => util.sizeFromShape(shape.slice(axis + 1)));
    const targetStride = shape.map((_, axis) =>
      util.sizeFromShape(shape.slice(axis + 1).map((size, offset) => size * times[axis + 1 + offset]!)),
    );
    const copy = (axis: number, from: number, to: number): void => {
      const size = shape[axis]!;
      if (axis === shape.length - 1) target.set(source.subarray(from, from + size), to);
      else
        for (let i = 0; i < size; i++)
          copy(axis + 1, from + i * sourceStride[axis]!, to + i * targetStride[axis]!);
      const block = size * targetStride[axis]!;
      for (let rep = 1; rep < times[axis]!; rep++) target.copyWithin(to + rep * block, to, to + block);
    };
    copy(0, 0, 0);
    return out;
  };
  return { kernelName: wasmKernel.kernelName, backendName: 'wasm', kernelFunc };
}
