import { createReadStream } from 'node:fs';
import { JsonTopLevelScanner } from './json-top-level-scanner.js';
import type { SourceEntry } from './source-entry.js';

/**
 * Stream the members of a JSON file whose top level is an array (records) or an object (records
 * keyed by id). A member that is not valid JSON is an error entry; broken structure ends the file
 * with one error entry, after every member read so far.
 */
export async function* readJsonMembers(file: string): AsyncGenerator<SourceEntry> {
  const scanner = new JsonTopLevelScanner();
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let ordinal = 0;
  try {
    for await (const chunk of stream) {
      let members: ReturnType<JsonTopLevelScanner['push']>;
      try {
        members = scanner.push(chunk as string);
      } catch (error) {
        yield { ordinal: ordinal + 1, line: scanner.line, error: (error as Error).message };
        return;
      }
      for (const member of members) {
        ordinal += 1;
        yield parseMember(member.text, ordinal, member.line, member.key);
      }
    }
    try {
      scanner.end();
    } catch (error) {
      // An empty file is reported by the caller as an empty dataset, not as a broken one.
      if (ordinal > 0 || scanner.line > 1 || (error as Error).message !== 'the file is empty') {
        yield { ordinal: ordinal + 1, line: scanner.line, error: (error as Error).message };
      }
    }
  } finally {
    stream.destroy();
  }
}

function parseMember(text: string, ordinal: number, line: number, key: string | undefined): SourceEntry {
  const location = key === undefined ? { ordinal, line } : { ordinal, line, key };
  try {
    return { ...location, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ...location, error: `not valid JSON: ${(error as Error).message}` };
  }
}
