import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { hasSharedData, sharedData } from '../../test/fixtures/datasets/paths.js';
import { inspectDataset } from './inspect-dataset.js';
import type { Item } from './item.js';
import { loadDataset } from './load-dataset.js';

function countBy<T>(values: readonly T[], key: (value: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[key(value)] = (counts[key(value)] ?? 0) + 1;
  return counts;
}

const answerOf = (item: Item): string =>
  item.kind === 'multiple-choice' ? item.answerKey : item.kind === 'yes-no-maybe' ? item.answer : 'open';

describe.skipIf(!hasSharedData('pubmedqa', 'ori_pqal.json'))(
  'PubMedQA PQA-L (../shared/data/pubmedqa)',
  () => {
    it('loads 1,000 yes/no/maybe items with the published label counts and the official test split', async () => {
      const { format, items, problems } = await loadDataset(sharedData('pubmedqa', 'ori_pqal.json'));
      expect(format).toBe('pubmedqa');
      expect(problems).toEqual([]);
      expect(items).toHaveLength(1000);
      expect(countBy(items, answerOf)).toEqual({ yes: 552, no: 338, maybe: 110 });
      const groundTruth = JSON.parse(
        await readFile(sharedData('pubmedqa', 'test_ground_truth.json'), 'utf8'),
      ) as Record<string, string>;
      const test = items.filter((item) => item.split === 'test');
      expect(test.map((item) => item.id).sort()).toEqual(Object.keys(groundTruth).sort());
      expect(countBy(test, answerOf)).toEqual({ yes: 276, no: 169, maybe: 55 });
      for (const item of test) expect(answerOf(item)).toBe(groundTruth[item.id]);
      const first = items[0];
      expect(first?.kind === 'yes-no-maybe' && first.context.length).toBeGreaterThan(0);
      expect(first?.source?.line).toBeGreaterThan(1);
    });
  },
);

describe.skipIf(!hasSharedData('medmcqa', 'medagentsbench_medmcqa_test.jsonl'))(
  'MedMCQA normalised (../shared/data/medmcqa)',
  () => {
    it('loads 2,816 four-option items with the documented answer distribution', async () => {
      const { format, items, problems } = await loadDataset(
        sharedData('medmcqa', 'medagentsbench_medmcqa_test.jsonl'),
      );
      expect(format).toBe('medmcqa');
      expect(problems).toEqual([]);
      expect(items).toHaveLength(2816);
      expect(countBy(items, answerOf)).toEqual({ A: 950, B: 735, C: 617, D: 514 });
      expect(
        new Set(items.map((item) => (item.kind === 'multiple-choice' ? item.options.length : 0))),
      ).toEqual(new Set([4]));
      expect(items[0]?.id).toBe('b64a9cd7-d076-4c55-8be1-f9c44fece6cc');
      expect(items[0]?.source).toMatchObject({ line: 1, sourceId: 'b64a9cd7-d076-4c55-8be1-f9c44fece6cc' });
    });
  },
);

describe.skipIf(!hasSharedData('vqa_rad', 'VQA_RAD Dataset Public.json'))(
  'VQA-RAD (../shared/data/vqa_rad)',
  () => {
    it('loads 2,248 pairs over 314 images with the official phrase_type split', async () => {
      const raw = JSON.parse(
        await readFile(sharedData('vqa_rad', 'VQA_RAD Dataset Public.json'), 'utf8'),
      ) as {
        answer: string | number;
        answer_type: string;
      }[];
      const closedYesNo = raw.filter(
        (pair) =>
          pair.answer_type.trim() === 'CLOSED' &&
          ['yes', 'no'].includes(String(pair.answer).trim().toLowerCase()),
      ).length;
      const { items, problems } = await loadDataset(sharedData('vqa_rad'));
      expect(problems).toEqual([]);
      expect(items).toHaveLength(2248);
      expect(countBy(items, (item) => item.split ?? '-')).toEqual({ train: 1797, test: 451 });
      expect(countBy(items, (item) => item.kind)).toEqual({
        'yes-no-maybe': closedYesNo,
        'open-ended': 2248 - closedYesNo,
      });
      expect(items.every((item) => item.images?.length === 1)).toBe(true);
    });

    it('inspect reports 314 distinct images found and none missing', async () => {
      const summary = await inspectDataset(sharedData('vqa_rad'));
      expect(summary.items).toBe(2248);
      expect(summary.images).toBe(314);
      expect(summary.imagesMissing).toBe(0);
      expect(summary.subjects).toEqual(
        countBy(
          JSON.parse(await readFile(sharedData('vqa_rad', 'VQA_RAD Dataset Public.json'), 'utf8')) as {
            image_organ: string;
          }[],
          (pair) => pair.image_organ,
        ),
      );
    });
  },
);
