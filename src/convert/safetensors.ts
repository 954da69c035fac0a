import { type FileHandle, open } from 'node:fs/promises';
import { z } from 'zod';
import { ModelFormatError } from '../errors.js';
import { writeAtomically } from '../util/atomic-write.js';

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
 * header naming each tensor's dtype, shape (row-major, slowest dimension first) and byte range,
 * then the raw little-endian data. Only the float types models are stored in are read here.
 */
export const SAFETENSORS_FLOAT_TYPES = ['F32', 'F16', 'BF16'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_FLOAT_TYPES)[number];

export const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  /** Row-major, as PyTorch: [out, in] for a linear layer's weight. */
  shape: number[];
  /** Absolute byte offset of the data in the file, and its length. */
  offset: number;
  byteLength: number;
  file: string;
}

export interface SafetensorsHeader {
  tensors: Map<string, SafetensorsTensorInfo>;
  metadata: Record<string, string>;
}

const entrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

/** Headers larger than this are refused: real ones are a few hundred KB (the format caps them at 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** Read a safetensors file's header, checking every tensor's byte range against its dtype and shape. */
export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw new ModelFormatError('cannot open the weights file (does it exist?)', { file }, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    const lengthBytes = Buffer.alloc(8);
    await handle.read(lengthBytes, 0, 8, 0);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (size < 8 || headerLength > MAX_HEADER_BYTES || 8 + headerLength > size)
      throw new ModelFormatError('not a safetensors file (bad header length)', { file });
    const headerBytes = Buffer.alloc(headerLength);
    await handle.read(headerBytes, 0, headerLength, 8);
    let json: unknown;
    try {
      json = JSON.parse(headerBytes.toString('utf8'));
    } catch (error) {
      throw new ModelFormatError('not a safetensors file (header is not JSON)', { file }, { cause: error });
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new ModelFormatError('not a safetensors file (header is not a JSON object)', { file });
    const dataStart = 8 + headerLength;
    const tensors = new Map<string, SafetensorsTensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, value] of Object.entries(json)) {
      if (name === '__metadata__') {
        metadata = z.record(z.string(), z.string()).catch({}).parse(value);
        continue;
      }
      const parsed = entrySchema.safeParse(value);
      if (!parsed.success)
        throw new ModelFormatError('malformed tensor entry in the header', { file, field: name });
      const { dtype, shape, data_offsets: offsets } = parsed.data;
      if (!(SAFETENSORS_FLOAT_TYPES as readonly string[]).includes(dtype))
        throw new ModelFormatError(
          `tensor dtype ${dtype} cannot be converted (supported: ${SAFETENSORS_FLOAT_TYPES.join(', ')})`,
          { file, field: `${name}.dtype` },
        );
      const byteLength = offsets[1] - offsets[0];
      const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype as SafetensorsDtype];
      if (byteLength !== expected || dataStart + offsets[1] > size)
        throw new ModelFormatError(
          `tensor data is ${byteLength} bytes at ${offsets[0]}, expected ${expected} for shape [${shape}] (truncated file?)`,
          { file, field: `${name}.data_offsets` },
        );
      tensors.set(name, {
        name,
        dtype: dtype as SafetensorsDtype,
        shape,
        offset: dataStart + offsets[0],
        byteLength,
        file,
      });
    }
    return { tensors, metadata };
  } finally {
    await handle.close();
  }
}

/** The raw bytes of one tensor. */
export async function readSafetensorsData(tensor: SafetensorsTensorInfo): Promise<Uint8Array> {
  const handle = await open(tensor.file, 'r');
  try {
    const bytes = new Uint8Array(tensor.byteLength);
    await handle.read(bytes, 0, tensor.byteLength, tensor.offset);
    return bytes;
  } finally {
    await handle.close();
  }
}

/** A tensor to write; its bytes are produced when the writer reaches it. */
export interface SafetensorsSource {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  bytes: () => Promise<Uint8Array> | Uint8Array;
}

/**
 * Write a safetensors file atomically, one tensor at a time in the order given. The header is
 * padded with spaces to a multiple of 8 bytes, as the reference writer does, so data stays aligned.
 */
export async function writeSafetensors(
  path: string,
  tensors: SafetensorsSource[],
  metadata: Record<string, string> = { format: 'pt' },
): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const sizes: number[] = [];
  for (const tensor of tensors) {
    const size = tensor.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[tensor.dtype];
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + size] };
    sizes.push(size);
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  await writeAtomically(path, async (temporary) => {
    const handle = await open(temporary, 'w');
    try {
      await handle.write(prefix, 0, 8, 0);
      await handle.write(headerBytes, 0, headerBytes.length, 8);
      let position = 8 + headerBytes.length;
      for (let i = 0; i < tensors.length; i++) {
        const bytes = await tensors[i]!.bytes();
        if (bytes.length !== sizes[i])
          throw new Error(`tensor ${tensors[i]!.name}: ${bytes.length} bytes given, ${sizes[i]} expected`);
        await handle.write(bytes, 0, bytes.length, position);
        position += bytes.length;
      }
    } finally {
      await handle.close();
    }
  });
}
