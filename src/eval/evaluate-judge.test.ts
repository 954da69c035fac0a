import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fakeModel, multipleChoiceItem } from '../../test/fixtures/eval/fake-language-model.js';
import type { Item } from '../datasets/item.js';
import { evaluate } from './evaluate.js';

describe('evaluate, judge mode', () => {
  const openItems: Item[] = [
    {
      kind: 'open-ended',
      id: 'o1',
      question: 'first-line therapy for H. pylori',
      referenceAnswer: 'Clarithromycin triple therapy',
    },
    {
      kind: 'open-ended',
      id: 'o2',
      question: 'cause of microcytic anemia',
      referenceAnswer: 'Iron deficiency',
    },
    { kind: 'open-ended', id: 'o3', question: 'drug for absence seizures', referenceAnswer: 'Ethosuximide' },
    { kind: 'open-ended', id: 'o4', question: 'vector of Lyme disease', referenceAnswer: 'Ixodes tick' },
    multipleChoiceItem(40, 'B'),
  ];
  const studentReplies: Record<string, string> = {
    'first-line therapy for H. pylori': 'Final Answer: clarithromycin triple therapy',
    'cause of microcytic anemia':
      'Most likely iron deficiency, given the low ferritin.\nFinal Answer: Iron deficiency anemia',
    'drug for absence seizures': 'Final Answer: Phenytoin',
    'vector of Lyme disease': 'Final Answer: Ixodes tick',
    'question 40': 'Loop diuretic.\nFinal Answer: B',
  };
  // The judge sees the reference and the student answer; it is lenient on wording.
  const judgeReplies: Record<string, string> = {
    'first-line therapy for H. pylori': '1',
    'cause of microcytic anemia': '1',
    'drug for absence seizures': ' 2.',
    'vector of Lyme disease': 'I think this is fine', // unreadable: wrong, with an error
    'question 40': '**1**',
  };
  const student = fakeModel('fake:student', { reply: (question) => studentReplies[question] ?? '' });
  const judge = fakeModel('fake:judge', { reply: (question) => judgeReplies[question] ?? '' });

  it('lets the judge decide, records exact match and their agreement', async () => {
    const result = await evaluate({ model: student, judge, items: openItems, mode: 'judge' });
    expect(result.predictions.map((prediction) => prediction.correct)).toEqual([
      true,
      true,
      false,
      false,
      true,
    ]);
    expect(result.predictions.map((prediction) => prediction.exactMatch)).toEqual([
      true,
      false,
      false,
      true,
      true,
    ]);
    expect(result.predictions[3]).toMatchObject({
      judge: { verdict: null },
      error: expect.stringMatching(/not readable/),
    });
    expect(result.predictions[4]?.prediction).toBe('B');
    // Agreement over the 4 items with a readable verdict: judge (T, T, F, T) vs exact (T, F, F, T).
    const agreement = result.summary.judgeAgreement!;
    expect(agreement.n).toBe(4);
    expect(agreement.rawAgreement).toBeCloseTo(3 / 4, 12);
    // po = 0.75; pe = 0.75 * 0.5 + 0.25 * 0.5 = 0.5; kappa = 0.5.
    expect(agreement.kappa).toBeCloseTo(0.5, 12);
  });
});

// Real PubMedQA labels (shared read-only data): PQA-L's published split is 55.2% yes, 33.8% no, 11.0% maybe.
const pubmedPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../shared/data/pubmedqa/ori_pqal.json',
);
describe.skipIf(!existsSync(pubmedPath))('evaluate on real PubMedQA labels', () => {
  it('scores an always-"yes" model at exactly the majority baseline', async () => {
    const raw = z
      .record(
        z.string(),
        z.object({
          QUESTION: z.string(),
          CONTEXTS: z.array(z.string()),
          final_decision: z.enum(['yes', 'no', 'maybe']),
        }),
      )
      .parse(JSON.parse(readFileSync(pubmedPath, 'utf8')));
    const pubmed: Item[] = Object.entries(raw).map(([id, entry]) => ({
      kind: 'yes-no-maybe',
      id,
      question: entry.QUESTION,
      context: entry.CONTEXTS,
      answer: entry.final_decision,
    }));
    const model = fakeModel('fake:always-yes', {
      reply: () => 'The abstract supports it.\nFinal Answer: yes',
    });
    const result = await evaluate({ model, items: pubmed, mode: 'cot', concurrency: 8 });
    expect(result.summary.n).toBe(1000);
    expect(result.summary.majorityBaseline).toMatchObject({ label: 'yes', accuracy: 0.552 });
    expect(result.summary.accuracy).toBe(0.552);
    expect(result.summary.positionPrior).toBeNull();
  });
});
