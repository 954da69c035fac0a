import { ModelFormatError } from '../../errors.js';
import { GgmlType, type GgufTensorInfo, ggmlTypeName, tensorByteSize } from '../gguf-types.js';
import { dequantizeBF16, dequantizeF16, dequantizeF32 } from './float-types.js';
import { dequantizeQ4_K, dequantizeQ5_K, dequantizeQ6_K } from './k-quants.js';
import {
  dequantizeQ4_0,
  dequantizeQ4_1,
  dequantizeQ5_0,
  dequantizeQ5_1,
  dequantizeQ8_0,
} from './legacy-quants.js';

type Dequantizer = (bytes: Uint8Array, count: number) => Float32Array;

const DEQUANTIZERS: ReadonlyMap<GgmlType, Dequantizer> = new Map([
  [GgmlType.F32, dequantizeF32],
  [GgmlType.F16, dequantizeF16],
  [GgmlType.BF16, dequantizeBF16],
  [GgmlType.Q8_0, dequantizeQ8_0],
  [GgmlType.Q4_0, dequantizeQ4_0],
  [GgmlType.Q4_1, dequantizeQ4_1],
  [GgmlType.Q5_0, dequantizeQ5_0],
  [GgmlType.Q5_1, dequantizeQ5_1],
  [GgmlType.Q4_K, dequantizeQ4_K],
  [GgmlType.Q5_K, dequantizeQ5_K],
  [GgmlType.Q6_K, dequantizeQ6_K],
]);

/** The tensor types the embedded engine can read (and so train on), by ggml name. */
export const READABLE_TENSOR_TYPES: readonly string[] = [...DEQUANTIZERS.keys()].map(ggmlTypeName);

export function isReadableTensorType(type: number): boolean {
  return DEQUANTIZERS.has(type);
}

/**
 * A tensor's values as F32, bit for bit what ggml's `to_float` gives for the same bytes.
 * `bytes` holds the tensor's data as stored in the file (at least `tensorByteSize(info)` bytes).
 * Throws a ModelFormatError naming the file, the tensor and its type when the type is not one we
 * read, or the data is short.
 */
export function tensorToFloat32(
  info: Pick<GgufTensorInfo, 'name' | 'shape' | 'type'>,
  bytes: Uint8Array,
  file = '(in memory)',
): Float32Array {
  const dequantize = DEQUANTIZERS.get(info.type);
  if (!dequantize) {
    throw new ModelFormatError(
      `tensor ${info.name} is ${ggmlTypeName(info.type)}, a type the embedded engine cannot read ` +
        `(it reads ${READABLE_TENSOR_TYPES.join(', ')}); requantize the model to one of these`,
      { file },
    );
  }
  const size = tensorByteSize(info);
  if (size === undefined) {
    throw new ModelFormatError(
      `tensor ${info.name} of type ${ggmlTypeName(info.type)} has shape [${info.shape}], whose first dimension is not a whole number of blocks`,
      { file },
    );
  }
  if (bytes.byteLength < size) {
    throw new ModelFormatError(
      `tensor ${info.name} needs ${size} bytes of ${ggmlTypeName(info.type)} data, only ${bytes.byteLength} are there`,
      { file },
    );
  }
  const count = info.shape.reduce((a, b) => a * b, 1);
  return dequantize(bytes, count);
}
