import { type FileHandle, open } from 'node:fs/promises';
import { ModelFormatError } from '../errors.js';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  type GgufHeader,
  type GgufMetadata,
  type GgufMetadataValue,
  type GgufScalar,
  type GgufTensorInfo,
  GgufValueType,
  tensorByteSize,
} from './gguf-types.js';
import { isReadableTensorType, tensorToFloat32 } from './quant/tensor-to-float32.js';

/**
 * Reads a file's bytes on demand: headers of real models hold vocabularies of several MB, and the
 * tensor data behind them can be many GB, so nothing is read that parsing does not ask for.
 */
class FileCursor {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  position = 0;
  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly size: number,
  ) {}

  async take(length: number): Promise<Buffer> {
    if (this.position + length > this.size) {
      throw new ModelFormatError(`unexpected end of file at byte ${this.position} (truncated GGUF?)`, {
        file: this.path,
      });
    }
    const end = this.position + length;
    if (this.position < this.bufferStart || end > this.bufferStart + this.buffer.length) {
      const chunk = Math.max(length, 1 << 20);
      const readLength = Math.min(chunk, this.size - this.position);
      const next = Buffer.alloc(readLength);
      await this.handle.read(next, 0, readLength, this.position);
      this.buffer = next;
      this.bufferStart = this.position;
    }
    const offset = this.position - this.bufferStart;
    this.position = end;
    return this.buffer.subarray(offset, offset + length);
  }
  async u32(): Promise<number> {
    return (await this.take(4)).readUInt32LE(0);
  }
  async u64(): Promise<bigint> {
    return (await this.take(8)).readBigUInt64LE(0);
  }
  async string(): Promise<string> {
    const length = Number(await this.u64());
    return (await this.take(length)).toString('utf8');
  }
}

async function readScalar(
  cursor: FileCursor,
  type: GgufValueType,
  key: string,
  path: string,
): Promise<GgufScalar> {
  switch (type) {
    case GgufValueType.Uint8:
      return (await cursor.take(1)).readUInt8(0);
    case GgufValueType.Int8:
      return (await cursor.take(1)).readInt8(0);
    case GgufValueType.Uint16:
      return (await cursor.take(2)).readUInt16LE(0);
    case GgufValueType.Int16:
      return (await cursor.take(2)).readInt16LE(0);
    case GgufValueType.Uint32:
      return (await cursor.take(4)).readUInt32LE(0);
    case GgufValueType.Int32:
      return (await cursor.take(4)).readInt32LE(0);
    case GgufValueType.Float32:
      return (await cursor.take(4)).readFloatLE(0);
    case GgufValueType.Bool:
      return (await cursor.take(1)).readUInt8(0) !== 0;
    case GgufValueType.String:
      return cursor.string();
    case GgufValueType.Uint64:
      return (await cursor.take(8)).readBigUInt64LE(0);
    case GgufValueType.Int64:
      return (await cursor.take(8)).readBigInt64LE(0);
    case GgufValueType.Float64:
      return (await cursor.take(8)).readDoubleLE(0);
    default:
      throw new ModelFormatError(`unknown GGUF value type ${type}`, { file: path, field: key });
  }
}

async function readValue(cursor: FileCursor, key: string, path: string): Promise<GgufMetadataValue> {
  const type = (await cursor.u32()) as GgufValueType;
  if (type !== GgufValueType.Array)
    return { type, value: await readScalar(cursor, type, key, path) } as GgufMetadataValue;
  const elementType = (await cursor.u32()) as Exclude<GgufValueType, GgufValueType.Array>;
  const count = Number(await cursor.u64());
  const value: GgufScalar[] = new Array(count);
  for (let i = 0; i < count; i++) value[i] = await readScalar(cursor, elementType, key, path);
  return { type: GgufValueType.Array, elementType, value };
}

/** Parse the header (metadata and tensor infos) without reading tensor data. */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new ModelFormatError('cannot open model file (does it exist?)', { file: path }, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    const cursor = new FileCursor(handle, path, size);
    if (size < 24 || (await cursor.u32()) !== GGUF_MAGIC) {
      throw new ModelFormatError('not a GGUF file (missing "GGUF" magic)', { file: path });
    }
    const version = await cursor.u32();
    if (version < 2 || version > 3)
      throw new ModelFormatError(`unsupported GGUF version ${version}`, { file: path });
    const tensorCount = Number(await cursor.u64());
    const kvCount = Number(await cursor.u64());
    const metadata: GgufMetadata = new Map();
    for (let i = 0; i < kvCount; i++) {
      const key = await cursor.string();
      metadata.set(key, await readValue(cursor, key, path));
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await cursor.string();
      const dimensions = await cursor.u32();
      const shape: number[] = [];
      for (let d = 0; d < dimensions; d++) shape.push(Number(await cursor.u64()));
      const type = await cursor.u32();
      const offset = await cursor.u64();
      tensors.push({ name, shape, type, offset });
    }
    const alignmentEntry = metadata.get('general.alignment');
    const alignment =
      alignmentEntry && typeof alignmentEntry.value === 'number'
        ? alignmentEntry.value
        : GGUF_DEFAULT_ALIGNMENT;
    const dataOffset = Math.ceil(cursor.position / alignment) * alignment;
    for (const tensor of tensors) {
      const bytes = tensorByteSize(tensor);
      if (bytes !== undefined && dataOffset + Number(tensor.offset) + bytes > size) {
        throw new ModelFormatError(
          `tensor ${tensor.name} extends past the end of the file (truncated download?)`,
          {
            file: path,
          },
        );
      }
    }
    return { version, metadata, tensors, alignment, dataOffset };
  } finally {
    await handle.close();
  }
}

export function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Read tensors as Float32Arrays, dequantizing every type `tensorToFloat32` reads (bit-exact with
 * ggml); any other type is refused with a message naming the file, tensor and type.
 */
export async function readGgufTensors(
  path: string,
  header: GgufHeader,
  names?: Set<string>,
): Promise<Map<string, Float32Array>> {
  const handle = await open(path, 'r');
  try {
    const wanted = header.tensors.filter((tensor) => !names || names.has(tensor.name));
    // Refuse an unreadable type before reading any bytes (tensorToFloat32 names file, tensor and type).
    const unreadable = wanted.find((tensor) => !isReadableTensorType(tensor.type));
    if (unreadable) tensorToFloat32(unreadable, new Uint8Array(0), path);
    const result = new Map<string, Float32Array>();
    for (const tensor of wanted) {
      const bytes = Buffer.alloc(tensorByteSize(tensor) ?? 0);
      await handle.read(bytes, 0, bytes.length, header.dataOffset + Number(tensor.offset));
      result.set(tensor.name, tensorToFloat32(tensor, bytes, path));
    }
    return result;
  } finally {
    await handle.close();
  }
}
