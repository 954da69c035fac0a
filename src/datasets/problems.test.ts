import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures/datasets/paths.js';
import { InputError } from '../errors.js';
import { formatProblem } from './dataset-problem.js';
import { loadDataset, streamDataset } from './load-dataset.js';

describe('problems as data', () => {
  it('strict mode throws the first problem as an InputError with its location', async () => {
    const file = fixture('medqa_test.jsonl');
    const error = await loadDataset(file, { strict: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual({ file, line: 3 });
    expect((error as InputError).message).toContain(`${file}:3: not valid JSON`);
  });

  it('strict mode names the field when the problem has one', async () => {
    const file = fixture('medmcqa_original_dev.jsonl');
    const error = await loadDataset(file, { strict: true }).catch((caught: unknown) => caught);
    expect((error as InputError).location).toEqual({ file, line: 3, field: 'cop' });
    expect(String(error)).toMatch(/medmcqa_original_dev\.jsonl:3 \(field "cop"\): cop 5 is outside 1-4/);
    await expect(loadDataset(fixture('anatomy_test.csv'), { strict: true })).rejects.toThrow(
      /anatomy_test\.csv:3: expected 6 columns/,
    );
  });

  it('reports an empty file, and strict mode refuses it', async () => {
    const file = fixture('empty.jsonl');
    const { items, problems } = await loadDataset(file, { format: 'medqa' });
    expect(items).toEqual([]);
    expect(problems).toEqual([
      { code: 'empty-file', severity: 'error', file, message: 'the file holds no records' },
    ]);
    await expect(loadDataset(file, { format: 'medqa', strict: true })).rejects.toThrow(InputError);
  });

  it('formats a problem as file:line (field): message', () => {
    expect(
      formatProblem({
        code: 'unknown-answer',
        severity: 'error',
        file: 'a.jsonl',
        line: 4,
        field: 'answer_idx',
        message: 'bad',
      }),
    ).toBe('a.jsonl:4 (field "answer_idx"): error: bad');
    expect(
      formatProblem({
        code: 'invalid-value',
        severity: 'warning',
        file: 'a.parquet',
        record: 9,
        message: 'odd',
      }),
    ).toBe('a.parquet record 9: warning: odd');
  });

  it('streams items one at a time and reports problems as they come', async () => {
    const seen: string[] = [];
    const stream = await streamDataset(fixture('medqa_test.jsonl'), {
      onProblem: (problem) => seen.push(`problem@${problem.line}`),
    });
    for await (const item of stream.items) seen.push(`item@${item.source?.line}`);
    expect(seen).toEqual(['item@1', 'item@2', 'problem@3', 'problem@4', 'problem@6', 'problem@7', 'item@7']);
  });

  it('refuses a path that does not exist', async () => {
    await expect(loadDataset(fixture('nothing-here.jsonl'))).rejects.toThrow(/no such file/);
    await expect(loadDataset(fixture('nothing-here.jsonl'), { format: 'medqa' })).rejects.toThrow(InputError);
  });
});
