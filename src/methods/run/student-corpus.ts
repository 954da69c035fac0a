import type { Item } from '../../datasets/item.js';
import { itemPromptText } from '../../datasets/item-prompt.js';
import { answerLine } from '../answer-format.js';

/**
 * The texts a new student's tokenizer is learned from: each training item's prompt, its reference
 * answer line and every option's answer line. Test items never enter it: a vocabulary learned from
 * test text would carry the test set into the student.
 */
export function studentCorpus(train: readonly Item[]): string[] {
  return train.flatMap((item) => [
    itemPromptText(item),
    answerLine(item),
    ...(item.kind === 'multiple-choice' ? item.options.map((option) => answerLine(item, option.key)) : []),
  ]);
}
