import type { Item } from '../datasets/item.js';
import { itemPromptText } from '../datasets/item-prompt.js';
import { readStudentReply } from '../methods/stages/student-answers.js';
import type { LanguageModel } from '../models/language-model.js';
import { mapConcurrent } from '../util/map-concurrent.js';

export interface StudentOutcome {
  itemId: string;
  /** Decided by exact match; items that would need a judge (open-ended) are left out before this. */
  correct: boolean;
  answer: string | null;
  error?: string;
}

/**
 * The student answers each item as a run evaluates it: the prompt it was trained on, greedy, its
 * answer read by the one answer reader a run uses (readStudentReply). Using the run's own reading
 * (not a generic eval prompt) makes the unquantized row reproduce the run's reported accuracy.
 */
export async function studentOutcomes(
  model: LanguageModel,
  items: readonly Item[],
  options: { maxTokens: number; concurrency: number; promptPrefix?: string; signal?: AbortSignal },
): Promise<StudentOutcome[]> {
  const settled = await mapConcurrent(
    items,
    options.concurrency,
    async (item) => {
      const response = await model.generate(
        {
          messages: [{ role: 'user', content: `${options.promptPrefix ?? ''}${itemPromptText(item)}` }],
          maxTokens: options.maxTokens,
          temperature: 0,
        },
        options.signal ? { signal: options.signal } : {},
      );
      return response.choices[0]?.text ?? '';
    },
    options.signal ? { signal: options.signal } : {},
  );
  return settled.map((outcome, index): StudentOutcome => {
    const item = items[index]!;
    if (!outcome.ok) return { itemId: item.id, correct: false, answer: null, error: outcome.error.message };
    const { answer, correct } = readStudentReply(item, outcome.value);
    return { itemId: item.id, correct: correct === true, answer };
  });
}

/** Items whose correctness an exact match decides (multiple choice, yes/no/maybe). */
export const matchableItems = (items: readonly Item[]): Item[] =>
  items.filter((item) => item.kind === 'multiple-choice' || item.kind === 'yes-no-maybe');
