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

/** ggml tensor type ids (ggml.h, ggml 0.25.1); all are named so `model info` can describe any file. */
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
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
  Q1_0 = 41,
  Q2_0 = 42,
}

/** How a ggml type stores values: `blockSize` elements in `blockBytes` bytes (ggml's type traits). */
export interface GgmlTypeLayout {
  blockSize: number;
  blockBytes: number;
}

/** Block layouts of every ggml type, as `ggml_get_type_traits` reports them (checked in a test). */
export const GGML_TYPE_LAYOUTS: ReadonlyMap<GgmlType, GgmlTypeLayout> = new Map(
  (
    [
      [GgmlType.F32, 1, 4],
      [GgmlType.F16, 1, 2],
      [GgmlType.Q4_0, 32, 18],
      [GgmlType.Q4_1, 32, 20],
      [GgmlType.Q5_0, 32, 22],
      [GgmlType.Q5_1, 32, 24],
      [GgmlType.Q8_0, 32, 34],
      [GgmlType.Q8_1, 32, 36],
      [GgmlType.Q2_K, 256, 84],
      [GgmlType.Q3_K, 256, 110],
      [GgmlType.Q4_K, 256, 144],
      [GgmlType.Q5_K, 256, 176],
      [GgmlType.Q6_K, 256, 210],
      [GgmlType.Q8_K, 256, 292],
      [GgmlType.IQ2_XXS, 256, 66],
      [GgmlType.IQ2_XS, 256, 74],
      [GgmlType.IQ3_XXS, 256, 98],
      [GgmlType.IQ1_S, 256, 50],
      [GgmlType.IQ4_NL, 32, 18],
      [GgmlType.IQ3_S, 256, 110],
      [GgmlType.IQ2_S, 256, 82],
      [GgmlType.IQ4_XS, 256, 136],
      [GgmlType.I8, 1, 1],
      [GgmlType.I16, 1, 2],
      [GgmlType.I32, 1, 4],
      [GgmlType.I64, 1, 8],
      [GgmlType.F64, 1, 8],
      [GgmlType.IQ1_M, 256, 56],
      [GgmlType.BF16, 1, 2],
      [GgmlType.TQ1_0, 256, 54],
      [GgmlType.TQ2_0, 256, 66],
      [GgmlType.MXFP4, 32, 17],
      [GgmlType.NVFP4, 64, 36],
      [GgmlType.Q1_0, 128, 18],
      [GgmlType.Q2_0, 64, 18],
    ] as const
  ).map(([type, blockSize, blockBytes]) => [type, { blockSize, blockBytes }]),
);

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

/** A tensor to write: F32 values, stored as F32 or rounded to F16 or BF16. */
export interface GgufTensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
  type: GgmlType.F32 | GgmlType.F16 | GgmlType.BF16;
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

/**
 * Bytes a tensor takes in the file (ggml_nbytes): whole blocks along the first dimension. Undefined
 * for a type ggml does not know, or a first dimension that is not a whole number of blocks.
 */
export function tensorByteSize(tensor: Pick<GgufTensorInfo, 'shape' | 'type'>): number | undefined {
  const layout = GGML_TYPE_LAYOUTS.get(tensor.type);
  const rowLength = tensor.shape[0] ?? 1;
  if (!layout || rowLength % layout.blockSize !== 0) return undefined;
  const rows = tensor.shape.slice(1).reduce((a, b) => a * b, 1);
  return (rowLength / layout.blockSize) * layout.blockBytes * rows;
}
