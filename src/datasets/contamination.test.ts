import { describe, expect, it } from 'vitest';
import { findContamination } from './contamination.js';
import type { Item } from './item.js';

const openItem = (id: string, question: string, image?: string): Item => ({
  kind: 'open-ended',
  id,
  question,
  referenceAnswer: 'x',
  ...(image === undefined ? {} : { images: [{ path: `/images/${image}` }] }),
});

const longStem =
  'A 45-year-old man presents to the emergency department with crushing central chest pain radiating to the left arm for two hours';

describe('findContamination', () => {
  const train = [
    openItem('train-1', `${longStem}. What is the next step?`),
    openItem(
      'train-2',
      'Which enzyme is deficient in phenylketonuria and what is the inheritance pattern of the disease',
    ),
    openItem('train-3', 'Is there a fracture?', 'one.jpg'),
  ];

  it('flags a test item sharing a 13-word run with a training item, and names that item', () => {
    const test = [
      openItem('test-1', `Scenario: ${longStem.toUpperCase()}, sweating. Which drug first?`),
      openItem(
        'test-2',
        'Which vitamin deficiency causes scurvy in sailors on long voyages without fresh fruit?',
      ),
    ];
    const hits = findContamination(train, test);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ id: 'test-1', overlapsWith: ['train-1'] });
    expect(hits[0]?.sharedNgrams).toBeGreaterThan(5);
    expect(hits[0]?.sharedNgrams).toBeLessThan(hits[0]?.ngramCount ?? 0);
  });

  it('catches short questions only when they are asked of the same image', () => {
    const hits = findContamination(train, [
      openItem('same', 'Is there a fracture?', 'one.jpg'),
      openItem('other', 'Is there a fracture?', 'two.jpg'),
    ]);
    expect(hits.map((hit) => hit.id)).toEqual(['same']);
  });

  it('honours a larger minimum of shared n-grams and a different n', () => {
    const test = [openItem('t', 'the inheritance pattern of the disease is asked here')];
    expect(findContamination(train, test)).toEqual([]);
    expect(findContamination(train, test, { n: 5 }).map((hit) => hit.id)).toEqual(['t']);
    expect(findContamination(train, test, { n: 5, minShared: 10 })).toEqual([]);
  });
});
