import type { DatasetProblem, DatasetProblemCode } from '../dataset-problem.js';
import type { Item } from '../item.js';
import { referenceAnswerText } from '../item.js';
import { itemPromptText } from '../item-prompt.js';

/** What every exporter takes: how to phrase the prompt and the answer, and where problems go. */
export interface ExportOptions {
  /** The user turn's text (default: itemPromptText). */
  prompt?: (item: Item) => string;
  /** The assistant turn's text (default: the reference answer, e.g. "C. Amniotic fluid..."). */
  answer?: (item: Item) => string;
  /** A system prompt for every record. */
  system?: string;
  /** Items that cannot be exported (an unreadable or oversized image) are skipped and reported here. */
  onProblem?: (problem: DatasetProblem) => void;
}

export interface ExportResult {
  /** Files written, absolute or as given. */
  files: string[];
  written: number;
  skipped: number;
}

export function promptFor(item: Item, options: ExportOptions): string {
  return options.prompt ? options.prompt(item) : itemPromptText(item);
}

export function answerFor(item: Item, options: ExportOptions): string {
  return options.answer ? options.answer(item) : referenceAnswerText(item);
}

/** A problem about an item being exported, placed at the item's source line. */
export function exportProblem(item: Item, code: DatasetProblemCode, message: string): DatasetProblem {
  const problem: DatasetProblem = {
    code,
    severity: 'error',
    file: item.source?.file ?? '(items)',
    itemId: item.id,
    message,
  };
  if (item.source?.line !== undefined) problem.line = item.source.line;
  return problem;
}
