import { describe, expect, it } from 'vitest';
import { fixture } from '../../test/fixtures/datasets/paths.js';
import { inspectDataset } from './inspect-dataset.js';
import type { MultipleChoiceItem } from './item.js';
import { loadDataset } from './load-dataset.js';

describe('PMC-VQA CSV', () => {
  it('strips the "A:" prefixes, finds figures in images/ and reports missing ones and bad labels', async () => {
    const file = fixture('pmc_vqa', 'test_clean.csv');
    const { format, items, problems } = await loadDataset(file);
    expect(format).toBe('pmc-vqa');
    expect(items).toHaveLength(2);
    const [first, second] = items as MultipleChoiceItem[];
    expect(first?.options.map((option) => option.text)).toEqual(['MRI', 'CT scan', 'Ultrasound', 'X-ray']);
    expect(first).toMatchObject({
      answerKey: 'B',
      images: [{ path: fixture('pmc_vqa', 'images', 'PMC100_F1.png') }],
      split: 'test',
    });
    expect(second?.question).toBe('Where is the lesion, as shown by the arrow?');
    expect(second?.options[0]?.text).toBe('Left lobe');
    expect(problems.map((problem) => [problem.line, problem.code, problem.field])).toEqual([
      [4, 'missing-image', 'Figure_path'],
      [5, 'unknown-answer', 'Answer_label'],
    ]);
  });

  it('reads figures from a zip beside the CSV and keeps the caption out of the question', async () => {
    const { items, problems } = await loadDataset(fixture('pmc_vqa_zip', 'test_2.csv'));
    expect(items.map((item) => item.images)).toEqual([
      [{ zipPath: fixture('pmc_vqa_zip', 'images.zip'), entry: 'figures/PMC400_F1.png' }],
      [{ zipPath: fixture('pmc_vqa_zip', 'images.zip'), entry: 'figures/PMC500_F3.png' }],
    ]);
    expect(items[0]).toMatchObject({
      caption: 'Axial CT showing a hypodense liver lesion.',
      question: 'What does the image show?',
    });
    expect(problems).toMatchObject([
      { code: 'missing-image', line: 4, message: expect.stringContaining('PMC999_F1.png') },
    ]);
  });
});

describe('VQA-RAD folder', () => {
  it('makes CLOSED yes/no pairs yes-no-maybe items and the rest open-ended, split by phrase_type', async () => {
    const { format, items, problems } = await loadDataset(fixture('vqa_rad_mini'));
    expect(format).toBe('vqa-rad');
    expect(items.map((item) => [item.id, item.kind, item.split, item.subject, item.topic])).toEqual([
      ['0', 'yes-no-maybe', 'train', 'HEAD', 'PRES'],
      ['1', 'open-ended', 'test', 'CHEST', 'POS'],
      ['2', 'open-ended', 'test', 'CHEST', 'COUNT'],
    ]);
    expect(items[0]).toMatchObject({ answer: 'yes', context: [] });
    expect(items[2]).toMatchObject({ referenceAnswer: '3' });
    expect(problems.map((problem) => [problem.code, problem.field, problem.itemId])).toEqual([
      ['missing-image', 'image_name', '3'],
      ['duplicate-id', 'id', '2'],
    ]);
  });

  it('resolves image names against --image-root when given', async () => {
    const { items, problems } = await loadDataset(fixture('vqa_rad_mini'), {
      imageRoot: fixture('pmc_vqa', 'images'),
    });
    expect(items).toEqual([]);
    expect(problems.map((problem) => problem.code)).toEqual(Array(5).fill('missing-image'));
    expect(problems[0]?.message).toContain(fixture('pmc_vqa', 'images'));
  });

  it('inspect counts images found and missing', async () => {
    const summary = await inspectDataset(fixture('vqa_rad_mini'));
    expect(summary).toMatchObject({ items: 3, images: 2, imagesMissing: 1, splits: { train: 1, test: 2 } });
    expect(summary.problemCounts).toEqual({
      errors: 2,
      warnings: 0,
      byCode: { 'missing-image': 1, 'duplicate-id': 1 },
    });
  });
});
