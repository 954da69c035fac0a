import { describe, expect, it } from 'vitest';
import type { ScannedMember } from './json-top-level-scanner.js';
import { JsonTopLevelScanner } from './json-top-level-scanner.js';

function scanInChunks(text: string, size: number): ScannedMember[] {
  const scanner = new JsonTopLevelScanner();
  const members: ScannedMember[] = [];
  for (let start = 0; start < text.length; start += size)
    members.push(...scanner.push(text.slice(start, start + size)));
  scanner.end();
  return members;
}

const array = [
  { id: 1, text: 'braces } and ] inside "quotes" \\ and \u00e9' },
  [1, [2, [3]]],
  'a string, with a comma',
  42,
  -1.5e3,
  true,
  null,
  { nested: { deeper: ['x', { y: '}' }] } },
];
const object = { '21645374': { QUESTION: 'q?', CONTEXTS: ['a', 'b'] }, 'key "quoted"': 'yes', n: 7 };

describe('JsonTopLevelScanner', () => {
  for (const size of [1, 2, 3, 7, 64, 100_000]) {
    it(`splits a top-level array into its members in chunks of ${size}`, () => {
      const text = JSON.stringify(array, null, 2);
      const members = scanInChunks(text, size);
      expect(members.map((member) => JSON.parse(member.text) as unknown)).toEqual(array);
    });

    it(`splits a top-level object into keyed members in chunks of ${size}`, () => {
      const members = scanInChunks(JSON.stringify(object, null, 1), size);
      expect(
        Object.fromEntries(members.map((member) => [member.key, JSON.parse(member.text) as unknown])),
      ).toEqual(object);
    });
  }

  it('gives the line each member starts on', () => {
    const text = '[\n  {"a": 1},\n  {"b":\n 2},\n\n  3\n]';
    expect(scanInChunks(text, 5).map((member) => member.line)).toEqual([2, 3, 6]);
  });

  it('reads empty arrays and objects as no members', () => {
    expect(scanInChunks('[ ]', 1)).toEqual([]);
    expect(scanInChunks('{}', 1)).toEqual([]);
  });

  it('refuses a document that is not an array or object, and a truncated one', () => {
    expect(() => scanInChunks('"text"', 10)).toThrow(/expected a JSON array or object/);
    expect(() => scanInChunks('[{"a": 1}, {"b": ', 10)).toThrow(/unexpected end of file/);
    expect(() => scanInChunks('[1] [2]', 10)).toThrow(/after the end of the document/);
    expect(() => scanInChunks('', 10)).toThrow(/empty/);
  });
});
