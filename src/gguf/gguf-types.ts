/**
 * GGUF v3 as llama.cpp reads it: a header, typed key/values, tensor infos, then aligned tensor
 * data. Types here mirror the format so files round-trip without losing a value's declared type.
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

export enum GgufValueType {
  Uint8 = 0,
  Int8 = 1,
  Uint16 = 2,
  Int16 = 3,
  Uint32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  Uint64 = 10,
  Int64 = 11,
  Float64 = 12,
}

export type GgufScalar = number | bigint | boolean | string;

/** A metadata value with its declared GGUF type (arrays carry their element type). */
export type GgufMetadataValue =
  | { type: Exclude<GgufValueType, GgufValueType.Array>; value: GgufScalar }
  | {
      type: GgufValueType.Array;
      elementType: Exclude<GgufValueType, GgufValueType.Array>;
      value: GgufScalar[];
    };

export type GgufMetadata = Map<string, GgufMetadataValue>;

/** ggml tensor types we name; quantized ones are listed so `model info` can describe any file. */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  BF16 = 30,
}

export interface GgufTensorInfo {
  name: string;
  /** ggml order: the first dimension varies fastest. */
  shape: number[];
  type: number;
  /** Offset from the start of the data section. */
  offset: bigint;
}

export interface GgufHeader {
  version: number;
  metadata: GgufMetadata;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute byte offset where tensor data starts. */
  dataOffset: number;
}

/** A tensor to write: F32 values, stored as F32 or converted to F16. */
export interface GgufTensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
  type: GgmlType.F32 | GgmlType.F16;
}

export function ggmlTypeName(type: number): string {
  return GgmlType[type] ?? `type-${type}`;
}

/** Shorthands for building metadata with the types llama.cpp expects for each key. */
export const gguf = {
  string: (value: string): GgufMetadataValue => ({ type: GgufValueType.String, value }),
  uint32: (value: number): GgufMetadataValue => ({ type: GgufValueType.Uint32, value }),
  int32: (value: number): GgufMetadataValue => ({ type: GgufValueType.Int32, value }),
  float32: (value: number): GgufMetadataValue => ({ type: GgufValueType.Float32, value }),
  bool: (value: boolean): GgufMetadataValue => ({ type: GgufValueType.Bool, value }),
  stringArray: (value: string[]): GgufMetadataValue => ({
    type: GgufValueType.Array,
    elementType: GgufValueType.String,
    value,
  }),
  int32Array: (value: number[]): GgufMetadataValue => ({
    type: GgufValueType.Array,
    elementType: GgufValueType.Int32,
    value,
  }),
  float32Array: (value: number[]): GgufMetadataValue => ({
    type: GgufValueType.Array,
    elementType: GgufValueType.Float32,
    value,
  }),
};

/** Read a metadata value as a plain JS value (bigints that fit become numbers). */
export function metadataValue(metadata: GgufMetadata, key: string): GgufScalar | GgufScalar[] | undefined {
  const entry = metadata.get(key);
  if (!entry) return undefined;
  const normalise = (value: GgufScalar): GgufScalar =>
    typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  return Array.isArray(entry.value) ? entry.value.map(normalise) : normalise(entry.value);
}
