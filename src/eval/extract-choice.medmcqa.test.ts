import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extractChoice } from './extract-choice.js';

// Real MedMCQA items (shared read-only data, never copied into the repository).
const dataPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/data/medmcqa/medagentsbench_medmcqa_test.jsonl',
);
const rowSchema = z.object({
  options: z.record(z.string(), z.string()),
  answer_idx: z.string(),
  answer: z.string(),
});

describe.skipIf(!existsSync(dataPath))('choice extraction on real MedMCQA options', () => {
  const rows = existsSync(dataPath)
    ? readFileSync(dataPath, 'utf8')
        .trim()
        .split('\n')
        .map((line) => rowSchema.parse(JSON.parse(line)))
    : [];
  const withOptions = rows.map((row) => ({
    ...row,
    options: Object.entries(row.options).map(([key, text]) => ({ key, text })),
  }));
  // A few items repeat one text under several keys (arrows lost upstream); nothing can tell those apart.
  const distinct = withOptions.filter(
    (row) => new Set(row.options.map((option) => option.text.trim())).size === row.options.length,
  );

  it('reads the key after the harness marker for every item', () => {
    expect(rows.length).toBeGreaterThan(2000);
    const misses = withOptions.filter(
      (row) => extractChoice(`Final Answer: ${row.answer_idx}`, row.options) !== row.answer_idx,
    );
    expect(misses).toEqual([]);
  });

  it('reads the answer stated as option text, including texts that start like a key ("B cell", "D, antagonist")', () => {
    const misses = distinct.filter(
      (row) =>
        extractChoice(`Reasoning first.\nThe answer is ${row.answer}.`, row.options) !== row.answer_idx,
    );
    expect(misses.map((row) => row.answer)).toEqual([]);
  });

  it('reads a reply that is exactly one option text', () => {
    const misses = distinct.filter((row) => extractChoice(row.answer, row.options) !== row.answer_idx);
    expect(misses.map((row) => row.answer)).toEqual([]);
  });

  it('returns null, never a wrong key, when the answer text belongs to several options', () => {
    const shared = withOptions.filter(
      (row) => row.options.filter((option) => option.text.trim() === row.answer.trim()).length > 1,
    );
    expect(shared.length).toBeGreaterThan(0);
    for (const row of shared) expect(extractChoice(row.answer, row.options)).toBeNull();
  });
});
