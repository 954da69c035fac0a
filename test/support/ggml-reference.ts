/**
 * Test-only binding to the ggml that node-llama-cpp ships prebuilt (libggml-base.so), through
 * koffi: ggml's own quantizers and `to_float` dequantizers, the reference our decoders must match
 * bit for bit. Loading fails loudly (throws) rather than letting a test skip: if this library
 * cannot be loaded, the parity tests must fail in CI.
 */
import koffi from 'koffi';
import { prebuiltLibraryPath } from '../../src/engines/llama-cpp/prebuilt-libraries.js';

const TypeTraits = koffi.struct('ggml_type_traits', {
  type_name: 'const char *',
  blck_size: 'int64_t',
  blck_size_interleave: 'int64_t',
  type_size: 'size_t',
  is_quantized: 'bool',
  to_float: 'void *',
  from_float_ref: 'void *',
});
const ToFloat = koffi.proto('void ggml_to_float_t(const void *x, float *y, int64_t k)');

export interface GgmlReference {
  /** Quantize `rows` x `rowLength` F32 values with ggml (no importance matrix). */
  quantize(type: number, values: Float32Array, rowLength: number): Uint8Array;
  /** Dequantize `count` values of `type` with ggml's own to_float. */
  toFloat(type: number, bytes: Uint8Array, count: number): Float32Array;
  /** ggml's block size and bytes per block for a type. */
  layout(type: number): { name: string; blockSize: number; blockBytes: number };
}

let shared: GgmlReference | undefined;

export function ggmlReference(): GgmlReference {
  if (shared) return shared;
  const library = koffi.load(prebuiltLibraryPath('ggml-base'));
  const getTraits = library.func('const ggml_type_traits *ggml_get_type_traits(int type)');
  const rowSize = library.func('size_t ggml_row_size(int type, int64_t ne)');
  const quantizeChunk = library.func(
    'size_t ggml_quantize_chunk(int type, const float *src, void *dst, int64_t start, int64_t nrows, int64_t n_per_row, const float *imatrix)',
  );
  const traits = (type: number) => koffi.decode(getTraits(type), TypeTraits);
  shared = {
    quantize(type, values, rowLength) {
      const rows = values.length / rowLength;
      const bytes = new Uint8Array(Number(rowSize(type, rowLength)) * rows);
      const written = Number(quantizeChunk(type, values, bytes, 0, rows, rowLength, null));
      if (written !== bytes.length)
        throw new Error(`ggml_quantize_chunk wrote ${written} bytes, expected ${bytes.length}`);
      return bytes;
    },
    toFloat(type, bytes, count) {
      const { to_float: toFloat } = traits(type);
      if (type === 0) return new Float32Array(bytes.slice(0, count * 4).buffer);
      if (!toFloat) throw new Error(`ggml has no to_float for type ${type}`);
      const out = new Float32Array(count);
      koffi.call(toFloat, ToFloat, bytes, out, count);
      return out;
    },
    layout(type) {
      const { type_name: name, blck_size: blockSize, type_size: blockBytes } = traits(type);
      return { name, blockSize: Number(blockSize), blockBytes: Number(blockBytes) };
    },
  };
  return shared;
}
