import { describe, expect, it } from 'vitest';
import type { Item } from './item.js';
import { splitItems } from './split-items.js';

/** 1,000 items with a skewed answer distribution (A 40%, B 30%, C 20%, D 10%) and two subjects. */
function makeItems(): Item[] {
  const items: Item[] = [];
  for (let index = 0; index < 1000; index++) {
    const answerKey = index % 10 < 4 ? 'A' : index % 10 < 7 ? 'B' : index % 10 < 9 ? 'C' : 'D';
    items.push({
      kind: 'multiple-choice',
      id: `q${index}`,
      question: `Question number ${index}?`,
      options: ['A', 'B', 'C', 'D'].map((key) => ({ key, text: `option ${key}` })),
      answerKey,
      subject: index % 3 === 0 ? 'anatomy' : 'pharmacology',
    });
  }
  return items;
}

const ids = (items: Item[]) => items.map((item) => item.id);
const share = (items: Item[], answer: string) =>
  items.filter((item) => item.kind === 'multiple-choice' && item.answerKey === answer).length / items.length;

describe('splitItems', () => {
  const items = makeItems();

  it('is deterministic for a seed, whatever the input order, and changes with the seed', () => {
    const first = splitItems(items, { test: 0.2, validation: 0.1, seed: 7 });
    const again = splitItems([...items].reverse(), { test: 0.2, validation: 0.1, seed: 7 });
    expect(new Set(ids(again.test))).toEqual(new Set(ids(first.test)));
    expect(new Set(ids(again.validation))).toEqual(new Set(ids(first.validation)));
    const other = splitItems(items, { test: 0.2, validation: 0.1, seed: 8 });
    expect(new Set(ids(other.test))).not.toEqual(new Set(ids(first.test)));
  });

  it('hits the requested sizes and partitions the items', () => {
    const result = splitItems(items, { test: 0.2, validation: 0.1, seed: 1 });
    expect([result.train.length, result.validation.length, result.test.length]).toEqual([700, 100, 200]);
    expect(new Set([...ids(result.train), ...ids(result.validation), ...ids(result.test)]).size).toBe(1000);
  });

  it('keeps each answer share in every split when stratifying by answer', () => {
    const result = splitItems(items, { test: 0.25, seed: 3, stratify: 'answer' });
    for (const answer of ['A', 'B', 'C', 'D']) {
      expect(share(result.test, answer)).toBeCloseTo(share(items, answer), 2);
      expect(share(result.train, answer)).toBeCloseTo(share(items, answer), 2);
    }
  });

  it('keeps subject shares when stratifying by subject', () => {
    const result = splitItems(items, { test: 0.3, seed: 3, stratify: 'subject' });
    const anatomy = (list: Item[]) => list.filter((item) => item.subject === 'anatomy').length / list.length;
    expect(anatomy(result.test)).toBeCloseTo(anatomy(items), 2);
  });

  it('refuses fractions that leave no training data', () => {
    expect(() => splitItems(items, { test: 0.6, validation: 0.4, seed: 1 })).toThrow(
      /leave some training data/,
    );
  });
});
