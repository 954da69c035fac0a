import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures/datasets/paths.js';
import type { MultipleChoiceItem, OpenEndedItem, YesNoMaybeItem } from './item.js';
import { loadDataset } from './load-dataset.js';

describe('PubMedQA folder', () => {
  it('keys items by PubMed id, splits by test_ground_truth.json and refuses unknown decisions', async () => {
    const { items, problems } = await loadDataset(fixture('pubmedqa_mini'));
    expect(items.map((item) => [item.id, (item as YesNoMaybeItem).answer, item.split])).toEqual([
      ['111', 'yes', 'train'],
      ['222', 'no', 'test'],
      ['444', 'maybe', 'train'],
    ]);
    expect(items[0]).toMatchObject({
      context: ['Randomised trials of aspirin were pooled.', 'Adenoma recurrence was lower with aspirin.'],
      longAnswer: 'Aspirin reduces recurrence.',
    });
    const lines = (await readFile(fixture('pubmedqa_mini', 'ori_pqal.json'), 'utf8')).split('\n');
    const memberLine = lines.findIndex((line) => line.includes('"333"')) + 1;
    expect(problems).toMatchObject([
      {
        code: 'unknown-answer',
        field: 'final_decision',
        line: memberLine,
        message: expect.stringContaining('"perhaps"'),
      },
    ]);
  });
});

describe('generic files with a column mapping', () => {
  it('reads a CSV with option columns and 1-based answer numbers', async () => {
    const { format, items, problems } = await loadDataset(fixture('generic_questions.csv'), {
      format: 'generic',
      mapping: {
        question: 'stem',
        optionColumns: ['first', 'second', 'third'],
        answer: 'correct',
        answerFormat: 'index1',
        id: 'qid',
        subject: 'area',
      },
    });
    expect(format).toBe('generic');
    expect(items.map((item) => [item.id, (item as MultipleChoiceItem).answerKey, item.subject])).toEqual([
      ['g1', 'B', 'Endocrinology'],
      ['g2', 'A', 'Haematology'],
    ]);
    expect(problems.map((problem) => [problem.line, problem.code, problem.field ?? null])).toEqual([
      [4, 'answer-out-of-range', 'correct'],
      [5, 'malformed-record', null],
    ]);
  });

  it('reads JSONL without options as open-ended items', async () => {
    const { items, problems } = await loadDataset(fixture('generic_open.jsonl'), {
      mapping: { question: 'prompt', answer: 'reference', id: 'uid' },
    });
    expect(items.map((item) => [item.id, (item as OpenEndedItem).referenceAnswer])).toEqual([
      ['o1', 'The aorta.'],
      ['o2', 'Insulin.'],
    ]);
    expect(problems).toMatchObject([{ line: 3, code: 'missing-field', field: 'prompt' }]);
  });

  it('asks for a mapping when the layout is unknown', async () => {
    await expect(loadDataset(fixture('generic_open.jsonl'))).rejects.toThrow(/needs a column mapping/);
  });
});
