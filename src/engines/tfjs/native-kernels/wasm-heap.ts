import { type TensorInfo, util } from '@tensorflow/tfjs-core';

/** The parts of tfjs's wasm backend a native kernel reads: where a tensor lives in the heap. */
export interface WasmBackendInternals {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: TensorInfo['dtype']): TensorInfo;
}

/**
 * A 4-byte view of a tensor's data where it lies in the wasm heap (no copy). Take views after
 * `makeOutput`: allocating may grow the heap, which replaces its ArrayBuffer.
 */
export function heapView(backend: WasmBackendInternals, tensor: TensorInfo): Float32Array {
  const entry = backend.dataIdMap.get(tensor.dataId);
  if (!entry) throw new Error(`native kernel: a ${tensor.dtype} tensor has no data in the wasm heap`);
  return new Float32Array(backend.wasm.HEAPU8.buffer, entry.memoryOffset, util.sizeFromShape(tensor.shape));
}
