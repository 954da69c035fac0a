import type { Item } from '../datasets/item.js';
import { extractChoice } from './extract-choice.js';
import { extractFinalAnswerText, normalizeAnswerText } from './extract-text.js';
import { extractYesNoMaybe } from './extract-yes-no-maybe.js';

export {
  type ChoiceExtraction,
  explainChoiceExtraction,
  extractChoice,
  optionNamedBy,
} from './extract-choice.js';
export { extractFinalAnswerText, normalizeAnswerText } from './extract-text.js';
export { extractYesNoMaybe, type YesNoMaybe } from './extract-yes-no-maybe.js';

/**
 * The answer a free-text reply gives to an item, in the item's own terms: an option key for
 * multiple choice, yes/no/maybe for PubMedQA-style items, the stated answer text for open-ended
 * ones. Null when nothing can be extracted; callers count that as wrong, never skip it.
 */
export function extractAnswer(output: string, item: Item): string | null {
  switch (item.kind) {
    case 'multiple-choice':
      return extractChoice(output, item.options);
    case 'yes-no-maybe':
      return extractYesNoMaybe(output);
    case 'open-ended': {
      const text = extractFinalAnswerText(output);
      return text.length > 0 ? text : null;
    }
  }
}

/**
 * Whether an extracted answer is the item's reference: the option key, the yes/no/maybe, or the
 * same text after normalisation. Null (nothing read) is wrong. The one correctness check that
 * evaluation, the strategies, the teachers' filters and vision share.
 */
export function matchesReference(item: Item, prediction: string | null): boolean {
  if (prediction === null) return false;
  switch (item.kind) {
    case 'multiple-choice':
      return prediction === item.answerKey;
    case 'yes-no-maybe':
      return prediction === item.answer;
    case 'open-ended':
      return normalizeAnswerText(prediction) === normalizeAnswerText(item.referenceAnswer);
  }
}
