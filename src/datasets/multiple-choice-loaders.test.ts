import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeMinimalParquet } from '../../test/fixtures/datasets/minimal-parquet-writer.js';
import { fixture } from '../../test/fixtures/datasets/paths.js';
import type { DatasetProblem } from './dataset-problem.js';
import type { MultipleChoiceItem } from './item.js';
import { loadDataset } from './load-dataset.js';

const byCode = (problems: DatasetProblem[], code: string) =>
  problems.filter((problem) => problem.code === code);

describe('MedQA JSONL', () => {
  it('loads the good lines and names file, line and field for each bad one', async () => {
    const file = fixture('medqa_test.jsonl');
    const { format, items, problems } = await loadDataset(file);
    expect(format).toBe('medqa');
    expect(items.map((item) => item.id)).toEqual(['medqa_test:1', 'medqa_test:2', 'medqa_test:7']);
    const first = items[0] as MultipleChoiceItem;
    expect(first.options.map((option) => option.key)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(first).toMatchObject({ answerKey: 'B', topic: 'step1', split: 'test', source: { file, line: 1 } });
    const errors = problems.filter((problem) => problem.severity === 'error');
    expect(errors.map((problem) => [problem.line, problem.code, problem.field])).toEqual([
      [3, 'malformed-record', undefined],
      [4, 'unknown-answer', 'answer_idx'],
      [6, 'missing-field', 'question'],
    ]);
    expect(errors.every((problem) => problem.file === file)).toBe(true);
    expect(errors[1]?.message).toMatch(/"F" is not one of the option keys A, B, C, D/);
    // The answer text disagrees with the key: kept, with a warning.
    expect(byCode(problems, 'answer-text-mismatch')).toMatchObject([
      { severity: 'warning', line: 7, field: 'answer', itemId: 'medqa_test:7' },
    ]);
  });
});

describe('MedMCQA original layout', () => {
  it('maps cop 1-4 to A-D and reports out-of-range cop and duplicate ids', async () => {
    const { format, items, problems } = await loadDataset(fixture('medmcqa_original_dev.jsonl'));
    expect(format).toBe('medmcqa');
    expect(items.map((item) => [item.id, (item as MultipleChoiceItem).answerKey])).toEqual([
      ['m-001', 'B'],
      ['m-002', 'D'],
      ['m-004', 'C'],
    ]);
    expect(items[0]).toMatchObject({
      subject: 'Anatomy',
      topic: 'Thorax',
      explanation: expect.stringContaining('phrenic'),
      split: 'validation',
    });
    expect(items[1]).not.toHaveProperty('topic');
    expect(byCode(problems, 'answer-out-of-range')).toMatchObject([
      { line: 3, field: 'cop', message: expect.stringMatching(/cop 5 is outside 1-4/) },
    ]);
    expect(byCode(problems, 'duplicate-id')).toMatchObject([
      { line: 4, field: 'id', itemId: 'm-001', message: expect.stringMatching(/first at line 1/) },
    ]);
  });

  it('reads cop as 0-3 when told the dump counts from 0', async () => {
    const { items, problems } = await loadDataset(fixture('medmcqa_original_dev.jsonl'), {
      medmcqaCopBase: 0,
    });
    expect(items.map((item) => (item as MultipleChoiceItem).answerKey)).toEqual(['C', 'D']);
    expect(byCode(problems, 'answer-out-of-range').map((problem) => problem.line)).toEqual([2, 3]);
  });

  it('reads the Hugging Face Parquet dump, whose cop counts from 0', async () => {
    const file = join(
      await mkdtemp(join(tmpdir(), 'medistill-parquet-')),
      'validation-00000-of-00001.parquet',
    );
    await writeMinimalParquet(file, [
      { name: 'id', type: 'string', values: ['p1', 'p2', 'p3'] },
      {
        name: 'question',
        type: 'string',
        values: ['Which nerve supplies the diaphragm?', 'Antidote for heparin?', 'Unlabelled test row'],
      },
      { name: 'opa', type: 'string', values: ['Vagus', 'Vitamin K', 'a'] },
      { name: 'opb', type: 'string', values: ['Phrenic', 'Protamine', 'b'] },
      { name: 'opc', type: 'string', values: ['Intercostal', 'Naloxone', 'c'] },
      { name: 'opd', type: 'string', values: ['Accessory', 'Flumazenil', 'd'] },
      { name: 'cop', type: 'int32', values: [1, 1, -1] },
      { name: 'subject_name', type: 'string', values: ['Anatomy', 'Pharmacology', 'Medicine'] },
    ]);
    const { format, items, problems } = await loadDataset(file);
    expect(format).toBe('medmcqa');
    expect(
      items.map((item) => [item.id, (item as MultipleChoiceItem).answerKey, item.subject, item.split]),
    ).toEqual([
      ['p1', 'B', 'Anatomy', 'validation'],
      ['p2', 'B', 'Pharmacology', 'validation'],
    ]);
    expect(problems).toMatchObject([{ code: 'answer-out-of-range', record: 3, field: 'cop' }]);
    expect(problems[0]).not.toHaveProperty('line');
  });
});

describe('MMLU CSV', () => {
  it('takes the subject from the file name and checks columns and answer letters', async () => {
    const file = fixture('anatomy_test.csv');
    const { format, items, problems } = await loadDataset(file);
    expect(format).toBe('mmlu');
    expect(items.map((item) => [item.id, (item as MultipleChoiceItem).answerKey])).toEqual([
      ['anatomy_test:1', 'B'],
      ['anatomy_test:2', 'B'],
      ['anatomy_test:5', 'B'],
    ]);
    expect(items[1]?.question).toBe('The "anatomical snuffbox" contains which artery?');
    expect(items[0]).toMatchObject({ subject: 'anatomy', split: 'test' });
    expect(problems.map((problem) => [problem.line, problem.code])).toEqual([
      [3, 'malformed-record'],
      [4, 'unknown-answer'],
    ]);
  });
});
