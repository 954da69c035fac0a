import { describe, expect, it } from 'vitest';
import type { Item } from '../../datasets/item.js';
import { majorityBaseline, positionPriorBaseline } from './baselines.js';
import { perSubjectTable } from './per-subject.js';

function multipleChoice(id: string, answerKey: string, optionCount = 4): Item {
  const keys = ['A', 'B', 'C', 'D', 'E'].slice(0, optionCount);
  return {
    kind: 'multiple-choice',
    id,
    question: `q${id}`,
    options: keys.map((key) => ({ key, text: key })),
    answerKey,
  };
}

describe('baselines', () => {
  const items = ['B', 'C', 'B', 'A', 'C', 'B', 'D', 'B'].map((key, index) =>
    multipleChoice(String(index), key),
  );

  it('finds the most frequent answer position and its accuracy', () => {
    const baseline = positionPriorBaseline(items, ['B', 'B', 'B', 'B', 'A', 'C', null, 'B']);
    expect(baseline).toMatchObject({
      mostFrequentKey: 'B',
      accuracy: 4 / 8,
      chanceAccuracy: 0.25,
      answerKeyCounts: { A: 1, B: 4, C: 2, D: 1 },
      predictedKeyCounts: { A: 1, B: 5, C: 1 },
      fittedOn: 'evaluated-items',
    });
  });

  it('fits the prior on reference items when given', () => {
    const training = ['C', 'C', 'A'].map((key, index) => multipleChoice(`t${index}`, key));
    const baseline = positionPriorBaseline(items, [], training);
    expect(baseline?.mostFrequentKey).toBe('C');
    expect(baseline?.accuracy).toBe(2 / 8);
    expect(baseline?.fittedOn).toBe('reference-items');
  });

  it('uses the mean of 1/k for chance with mixed option counts', () => {
    const mixed = [multipleChoice('x', 'A', 4), multipleChoice('y', 'A', 5)];
    expect(positionPriorBaseline(mixed)?.chanceAccuracy).toBeCloseTo((0.25 + 0.2) / 2, 12);
  });

  it('gives the majority label for yes/no/maybe items and none for an empty set', () => {
    const answers = ['yes', 'no', 'yes', 'maybe', 'yes'] as const;
    const pubmed: Item[] = answers.map((answer, index) => ({
      kind: 'yes-no-maybe',
      id: String(index),
      question: 'q',
      context: [],
      answer,
    }));
    expect(majorityBaseline(pubmed)).toMatchObject({ label: 'yes', accuracy: 0.6, n: 5 });
    expect(positionPriorBaseline(pubmed)).toBeNull();
    expect(majorityBaseline([])).toBeNull();
  });
});

describe('perSubjectTable', () => {
  it('groups, counts and orders subjects, naming the missing one', () => {
    const rows = perSubjectTable([
      { subject: 'Surgery', correct: true },
      { subject: 'Anatomy', correct: false },
      { subject: 'Surgery', correct: false },
      { correct: true },
      { subject: 'Surgery', correct: true },
    ]);
    expect(rows.map((row) => [row.subject, row.n, row.correct])).toEqual([
      ['Surgery', 3, 2],
      ['(no subject)', 1, 1],
      ['Anatomy', 1, 0],
    ]);
    expect(rows[0]?.ci95[0]).toBeLessThan(2 / 3);
  });
});
