import { open } from 'node:fs/promises';
import { writeAtomically } from '../util/atomic-write.js';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GgmlType,
  type GgufMetadata,
  type GgufMetadataValue,
  type GgufScalar,
  type GgufTensorToWrite,
  GgufValueType,
  tensorByteSize,
} from './gguf-types.js';
import { float32BitsToBfloat16Bits, float32BitsToFloat16Bits } from './half-precision.js';

/** Accumulates header bytes in chunks; headers are small next to tensor data. */
class ByteSink {
  private readonly chunks: Buffer[] = [];
  length = 0;
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }
  u32(value: number): void {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  u64(value: number | bigint): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }
  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeScalar(sink: ByteSink, type: GgufValueType, value: GgufScalar): void {
  const b8 = Buffer.alloc(8);
  switch (type) {
    case GgufValueType.Uint8:
      sink.push(Buffer.from([Number(value) & 0xff]));
      return;
    case GgufValueType.Int8:
      b8.writeInt8(Number(value));
      sink.push(b8.subarray(0, 1));
      return;
    case GgufValueType.Uint16:
      b8.writeUInt16LE(Number(value));
      sink.push(b8.subarray(0, 2));
      return;
    case GgufValueType.Int16:
      b8.writeInt16LE(Number(value));
      sink.push(b8.subarray(0, 2));
      return;
    case GgufValueType.Uint32:
      sink.u32(Number(value));
      return;
    case GgufValueType.Int32:
      b8.writeInt32LE(Number(value));
      sink.push(b8.subarray(0, 4));
      return;
    case GgufValueType.Float32:
      b8.writeFloatLE(Number(value));
      sink.push(b8.subarray(0, 4));
      return;
    case GgufValueType.Bool:
      sink.push(Buffer.from([value ? 1 : 0]));
      return;
    case GgufValueType.String:
      sink.string(String(value));
      return;
    case GgufValueType.Uint64:
      sink.u64(BigInt(value));
      return;
    case GgufValueType.Int64:
      b8.writeBigInt64LE(BigInt(value));
      sink.push(b8);
      return;
    case GgufValueType.Float64:
      b8.writeDoubleLE(Number(value));
      sink.push(b8);
      return;
    default:
      throw new Error(`cannot write GGUF value type ${type}`);
  }
}

function writeValue(sink: ByteSink, entry: GgufMetadataValue): void {
  sink.u32(entry.type);
  if (entry.type === GgufValueType.Array) {
    sink.u32(entry.elementType);
    sink.u64(entry.value.length);
    for (const item of entry.value) writeScalar(sink, entry.elementType, item);
  } else {
    writeScalar(sink, entry.type, entry.value);
  }
}

/** F32 values stored as F32, or rounded (to nearest even) to F16 or BF16 as ggml's converters do. */
export function encodeFloat32(data: Float32Array, type: GgmlType.F32 | GgmlType.F16 | GgmlType.BF16): Buffer {
  if (type === GgmlType.F32) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const convert = type === GgmlType.F16 ? float32BitsToFloat16Bits : float32BitsToBfloat16Bits;
  // Typed arrays in platform order (little-endian, as the F32 path already assumes): several times
  // faster than Buffer.writeUInt16LE per value.
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = convert(bits[i]!);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * A tensor whose bytes, already in its ggml type, are produced when the writer reaches it, so a
 * model of many GB is written one tensor at a time.
 */
export interface GgufTensorSource {
  name: string;
  /** ggml order: the first dimension varies fastest. */
  shape: number[];
  type: GgmlType;
  bytes: () => Promise<Uint8Array> | Uint8Array;
}

const align = (value: number, alignment: number): number => Math.ceil(value / alignment) * alignment;

/** Write a GGUF v3 file atomically (temporary name, then rename). */
export async function writeGguf(
  path: string,
  metadata: GgufMetadata,
  tensors: GgufTensorToWrite[],
): Promise<void> {
  const sources = tensors.map((tensor): GgufTensorSource => {
    const expected = tensor.shape.reduce((a, b) => a * b, 1);
    if (expected !== tensor.data.length) {
      throw new Error(
        `tensor ${tensor.name}: shape [${tensor.shape}] needs ${expected} values, got ${tensor.data.length}`,
      );
    }
    return {
      name: tensor.name,
      shape: tensor.shape,
      type: tensor.type,
      bytes: () => encodeFloat32(tensor.data, tensor.type),
    };
  });
  await writeGgufSources(path, metadata, sources);
}

/**
 * Write a GGUF v3 file atomically from tensors whose bytes are read one at a time, in order; a
 * source whose byte count does not match its shape and type is refused.
 */
export async function writeGgufSources(
  path: string,
  metadata: GgufMetadata,
  tensors: GgufTensorSource[],
): Promise<void> {
  const alignment = GGUF_DEFAULT_ALIGNMENT;
  const header = new ByteSink();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(tensors.length);
  header.u64(metadata.size);
  for (const [key, value] of metadata) {
    header.string(key);
    writeValue(header, value);
  }
  let offset = 0;
  const offsets: number[] = [];
  const sizes: number[] = [];
  for (const tensor of tensors) {
    const size = tensorByteSize(tensor);
    if (size === undefined)
      throw new Error(`tensor ${tensor.name}: type ${tensor.type} cannot hold shape [${tensor.shape}]`);
    header.string(tensor.name);
    header.u32(tensor.shape.length);
    for (const dimension of tensor.shape) header.u64(dimension);
    header.u32(tensor.type);
    header.u64(offset);
    offsets.push(offset);
    sizes.push(size);
    offset = align(offset + size, alignment);
  }
  const headerBytes = header.toBuffer();
  const dataStart = align(headerBytes.length, alignment);
  await writeAtomically(path, async (temporary) => {
    const handle = await open(temporary, 'w');
    try {
      await handle.write(headerBytes, 0, headerBytes.length, 0);
      for (let i = 0; i < tensors.length; i++) {
        const bytes = await tensors[i]!.bytes();
        if (bytes.length !== sizes[i])
          throw new Error(`tensor ${tensors[i]!.name}: ${bytes.length} bytes given, ${sizes[i]} expected`);
        await handle.write(bytes, 0, bytes.length, dataStart + offsets[i]!);
      }
      // Pad to the end so the last tensor's aligned size is present, as llama.cpp's writer does.
      const total = dataStart + offset;
      await handle.truncate(total);
    } finally {
      await handle.close();
    }
  });
}
