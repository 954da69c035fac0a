import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { SourceEntry } from './source-entry.js';

export interface CsvReadOptions {
  /** The first row names the columns: records become objects keyed by column name. */
  header: boolean;
}

/**
 * Stream a CSV file record by record. With a header, a row whose column count differs from the
 * header's is an error entry, as is a row the parser had to skip (an unclosed quote, say); the
 * file goes on after either.
 */
export async function* readCsvRecords(file: string, options: CsvReadOptions): AsyncGenerator<SourceEntry> {
  const skipped: SourceEntry[] = [];
  let ordinal = 0;
  const parser = createReadStream(file).pipe(
    parse({
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        ordinal += 1;
        const line = (error as { lines?: number } | undefined)?.lines;
        const base = line === undefined ? { ordinal } : { ordinal, line };
        skipped.push({ ...base, error: `unreadable CSV row: ${error?.message ?? 'unknown error'}` });
      },
    }),
  );
  let columns: string[] | undefined;
  for await (const output of parser) {
    const { record, info } = output as { record: string[]; info: { lines: number } };
    yield* skipped.splice(0);
    if (options.header && columns === undefined) {
      columns = record.map((name) => name.trim());
      continue;
    }
    ordinal += 1;
    // csv-parse counts the line a record ends on; for one-line rows it is the row's line.
    const line = info.lines;
    if (columns === undefined) {
      yield { ordinal, line, value: record };
    } else if (record.length !== columns.length) {
      yield {
        ordinal,
        line,
        error: `expected ${columns.length} columns as in the header, found ${record.length}`,
      };
    } else {
      const value: Record<string, string> = {};
      columns.forEach((name, index) => {
        value[name] = record[index] ?? '';
      });
      yield { ordinal, line, value };
    }
  }
  yield* skipped.splice(0);
}
