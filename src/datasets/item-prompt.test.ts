import { describe, expect, it } from 'vitest';
import { itemPromptText } from './item-prompt.js';

describe('itemPromptText', () => {
  it('lists lettered options after the question', () => {
    expect(
      itemPromptText({
        kind: 'multiple-choice',
        id: '1',
        question: 'Which nerve supplies the diaphragm?',
        options: [
          { key: 'A', text: 'Vagus' },
          { key: 'B', text: 'Phrenic' },
        ],
        answerKey: 'B',
      }),
    ).toBe('Which nerve supplies the diaphragm?\n\nA. Vagus\nB. Phrenic');
  });

  it('puts a PubMedQA context before the question and names the answers', () => {
    const text = itemPromptText({
      kind: 'yes-no-maybe',
      id: '2',
      question: 'Does it work?',
      context: ['First part.', 'Second part.'],
      answer: 'yes',
    });
    expect(text).toBe(
      'Context: First part.\nSecond part.\n\nQuestion: Does it work?\nAnswer yes, no or maybe.',
    );
  });

  it('asks a bare closed question for yes or no, and leaves the caption out unless asked', () => {
    const item = {
      kind: 'yes-no-maybe' as const,
      id: '3',
      question: 'Is there a fracture?',
      context: [],
      answer: 'no' as const,
      caption: 'Wrist X-ray.',
    };
    expect(itemPromptText(item)).toBe('Is there a fracture?\nAnswer yes or no.');
    expect(itemPromptText(item, { includeCaption: true })).toBe(
      'Caption: Wrist X-ray.\n\nIs there a fracture?\nAnswer yes or no.',
    );
  });
});
