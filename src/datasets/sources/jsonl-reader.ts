import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SourceEntry } from './source-entry.js';

/** Stream a JSON Lines file one parsed line at a time; blank lines are skipped, bad JSON is an error entry. */
export async function* readJsonLines(file: string): AsyncGenerator<SourceEntry> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let ordinal = 0;
  try {
    for await (const rawLine of lines) {
      lineNumber += 1;
      const text = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
      if (text.trim() === '') continue;
      ordinal += 1;
      yield parseLine(text, ordinal, lineNumber);
    }
  } finally {
    lines.close();
  }
}

function parseLine(text: string, ordinal: number, line: number): SourceEntry {
  try {
    return { ordinal, line, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ordinal, line, error: `not valid JSON: ${(error as Error).message}` };
  }
}
