import type { Item } from '../datasets/item.js';
import { itemPromptText } from '../datasets/item-prompt.js';
import { finalAnswerInstruction } from '../eval/prompt.js';
import type { ChatMessage, ContentPart, ImagePart } from '../models/language-model.js';

export interface VisionPromptOptions {
  /**
   * Put the dataset's caption (PMC-VQA v2) before the question. Off by default, as in
   * LiteMedCoT-VL: the physician reads the image, not a report of it.
   */
  withCaptions?: boolean;
}

/** Items the closed-form scoring reads: multiple choice and yes/no(/maybe). */
export type ClosedItem = Extract<Item, { kind: 'multiple-choice' | 'yes-no-maybe' }>;

export function isClosedItem(item: Item): item is ClosedItem {
  return item.kind === 'multiple-choice' || item.kind === 'yes-no-maybe';
}

/** The admissible answers, as the instruction names them. */
function answerChoices(item: Item): string {
  if (item.kind === 'multiple-choice') return item.options.map((option) => option.key).join(', ');
  if (item.kind === 'yes-no-maybe') return item.context.length > 0 ? 'yes, no, maybe' : 'yes, no';
  return 'your answer';
}

/**
 * The question as a VQA prompt: the item's text (caption only when asked), then the
 * lm-evaluation-harness chain-of-thought ending, so the answer is read from "Final Answer: X".
 */
export function visionQuestionPrompt(item: Item, options: VisionPromptOptions = {}): string {
  return [
    itemPromptText(item, { includeCaption: options.withCaptions ?? false }),
    '',
    `Look at the image, think step by step, then answer (X is one of ${answerChoices(item)}).`,
    finalAnswerInstruction,
  ].join('\n');
}

/**
 * One user turn with the images first and the text after (the order Qwen-VL and LLaVA were
 * trained on); a plain string when there are no images, so "no image" really sends none.
 */
export function visionMessages(text: string, images: readonly ImagePart[], system?: string): ChatMessage[] {
  const messages: ChatMessage[] = system === undefined ? [] : [{ role: 'system', content: system }];
  if (images.length === 0) {
    messages.push({ role: 'user', content: text });
    return messages;
  }
  const content: ContentPart[] = [...images, { type: 'text', text }];
  messages.push({ role: 'user', content });
  return messages;
}
