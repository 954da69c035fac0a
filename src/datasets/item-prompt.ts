import type { Item } from './item.js';

export interface ItemPromptOptions {
  /** Put the dataset's caption (PMC-VQA v2) before the question. Off by default: captions are withheld. */
  includeCaption?: boolean;
}

/**
 * The default prompt text for an item: the question, then lettered options for multiple choice;
 * for yes/no/maybe items their context first and the admissible answers last ("yes, no or
 * maybe" with a PubMedQA-style context, "yes or no" for a bare closed question such as
 * VQA-RAD's). No answer-format instruction: methods add their own. Images are not mentioned;
 * exporters place image tags.
 */
export function itemPromptText(item: Item, options: ItemPromptOptions = {}): string {
  const parts: string[] = [];
  if (options.includeCaption && item.caption) parts.push(`Caption: ${item.caption}`);
  switch (item.kind) {
    case 'multiple-choice':
      parts.push(item.question, item.options.map((option) => `${option.key}. ${option.text}`).join('\n'));
      break;
    case 'open-ended':
      parts.push(item.question);
      break;
    case 'yes-no-maybe':
      if (item.context.length > 0) {
        parts.push(
          `Context: ${item.context.join('\n')}`,
          `Question: ${item.question}\nAnswer yes, no or maybe.`,
        );
      } else {
        parts.push(`${item.question}\nAnswer yes or no.`);
      }
      break;
  }
  return parts.join('\n\n');
}
