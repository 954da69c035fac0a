import type { Item } from '../datasets/item.js';
import { itemPromptText } from '../datasets/item-prompt.js';
import { answerLine } from './answer-format.js';

/** One chat example of the training set, as written to `messages` JSONL. */
export interface TrainingExample {
  messages: { role: 'user' | 'assistant'; content: string }[];
  /** Which item and which kind of target it came from, for audit (ignored by trainers). */
  meta: { itemId: string; target: string };
}

/** Distilling step-by-step's task prefixes: the student learns the label and the rationale as two tasks. */
export const STEP_BY_STEP_PREFIX = { label: '[label] ', rationale: '[rationale] ' } as const;

export function example(item: Item, target: string, content: string, promptPrefix = ''): TrainingExample {
  return {
    messages: [
      { role: 'user', content: `${promptPrefix}${itemPromptText(item)}` },
      { role: 'assistant', content },
    ],
    meta: { itemId: item.id, target },
  };
}

/** The answer line alone, for gold-label and answer-only training. */
export function answerExample(item: Item, key: string | undefined, target: string): TrainingExample {
  return example(item, target, answerLine(item, key));
}

export function toJsonLines(examples: readonly TrainingExample[]): string {
  return `${examples.map((entry) => JSON.stringify({ messages: entry.messages, meta: entry.meta })).join('\n')}\n`;
}
