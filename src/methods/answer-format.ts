import type { Item } from '../datasets/item.js';

/**
 * Every training target medistill builds carries its answer on one line, `Answer: <text>`, and
 * replies are read back by the one answer reader, eval/extract-answer.ts, which takes such a line
 * as an answer statement. For multiple choice the text is the
 * option's own text rather than its letter: MedThink works open-ended (options removed, reference
 * = the correct option's text), and a small student learns the text far more easily than a letter
 * that points into a shuffled list.
 */
export const ANSWER_PREFIX = 'Answer:';

export function answerText(item: Item, key?: string): string {
  switch (item.kind) {
    case 'multiple-choice': {
      const wanted = key ?? item.answerKey;
      return item.options.find((option) => option.key === wanted)?.text ?? wanted;
    }
    case 'open-ended':
      return key ?? item.referenceAnswer;
    case 'yes-no-maybe':
      return key ?? item.answer;
  }
}

export function answerLine(item: Item, key?: string): string {
  return `${ANSWER_PREFIX} ${answerText(item, key)}`;
}
