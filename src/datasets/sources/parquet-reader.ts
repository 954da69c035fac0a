import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Compressors } from 'hyparquet';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { SourceEntry } from './source-entry.js';

/** hyparquet reads Snappy itself; these cover the other codecs Node can decompress. */
const compressors: Compressors = {
  GZIP: (input) => gunzipSync(input),
  BROTLI: (input) => brotliDecompressSync(input),
};

/** Stream a Parquet file one row group at a time, so memory holds one group, not the file. */
export async function* readParquetRows(file: string): AsyncGenerator<SourceEntry> {
  const buffer = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buffer);
  let rowStart = 0;
  let ordinal = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file: buffer, metadata, rowStart, rowEnd, compressors });
    for (const row of rows) {
      ordinal += 1;
      yield { ordinal, value: normaliseRow(row) };
    }
    rowStart = rowEnd;
  }
}

/** Parquet integers can arrive as bigint; records are checked as JSON-like values downstream. */
function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    result[key] = typeof value === 'bigint' ? Number(value) : value;
  }
  return result;
}
