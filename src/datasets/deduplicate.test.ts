import { describe, expect, it } from 'vitest';
import { deduplicateItems, itemContentKey } from './deduplicate.js';
import type { Item } from './item.js';

const question = (id: string, text: string, options: string[], answerKey: string): Item => ({
  kind: 'multiple-choice',
  id,
  question: text,
  options: options.map((optionText, index) => ({ key: 'ABCD'.charAt(index), text: optionText })),
  answerKey,
});

describe('deduplicateItems', () => {
  it('finds copies that differ only in case, spacing, punctuation and option order', () => {
    const original = question(
      'a',
      'Which nerve supplies the diaphragm?',
      ['Vagus', 'Phrenic', 'Accessory'],
      'B',
    );
    const copy = question(
      'b',
      '  which NERVE supplies the diaphragm ',
      ['Phrenic.', 'vagus', 'Accessory'],
      'A',
    );
    const disagreeing = question(
      'c',
      'Which nerve supplies the diaphragm?',
      ['Vagus', 'Phrenic', 'Accessory'],
      'C',
    );
    const different = question(
      'd',
      'Which nerve supplies the deltoid?',
      ['Vagus', 'Phrenic', 'Axillary'],
      'C',
    );
    const result = deduplicateItems([original, copy, disagreeing, different]);
    expect(result.items.map((item) => item.id)).toEqual(['a', 'd']);
    expect(result.duplicates).toEqual([
      { id: 'b', duplicateOf: 'a', sameAnswer: true },
      { id: 'c', duplicateOf: 'a', sameAnswer: false },
    ]);
  });

  it('keeps the same question about different images apart', () => {
    const onImage = (id: string, image: string): Item => ({
      kind: 'yes-no-maybe',
      id,
      question: 'Is there a fracture?',
      context: [],
      answer: 'no',
      images: [{ path: `/data/${image}` }],
    });
    expect(itemContentKey(onImage('x', 'one.jpg'))).not.toBe(itemContentKey(onImage('y', 'two.jpg')));
    expect(itemContentKey(onImage('x', 'one.jpg'))).toBe(
      itemContentKey({ ...onImage('z', 'one.jpg'), images: [{ path: '/elsewhere/one.jpg' }] }),
    );
  });
});
