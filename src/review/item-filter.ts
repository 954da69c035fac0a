import { z } from 'zod';
import { referenceAnswerText } from '../datasets/item.js';
import { changedBetweenStages, finalAnswer, type ItemTrace } from './item-trace.js';

const choice = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values).optional().catch(undefined);
const text = z
  .string()
  .max(500)
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()))
  .catch(undefined);

/**
 * The item list's filters, read leniently from the query string (an unknown value is no filter):
 * the student's outcome at a stage, the item set, subject, screening, change between stages,
 * review status, and a full-text search.
 */
export const itemFilterSchema = z.object({
  stage: text,
  outcome: choice(['right', 'wrong'] as const),
  set: choice(['train', 'test'] as const),
  subject: text,
  dropped: choice(['yes', 'no'] as const),
  changed: choice(['yes', 'no'] as const),
  reviewed: choice(['yes', 'no'] as const),
  q: text,
});
export type ItemFilter = z.infer<typeof itemFilterSchema>;

/** Every text of a trace a reader might search for, lower-cased. */
function searchableText(trace: ItemTrace): string {
  const item = trace.item;
  const parts: string[] = [trace.itemId];
  if (item) {
    parts.push(item.question, referenceAnswerText(item), item.subject ?? '', item.topic ?? '');
    if (item.kind === 'multiple-choice') parts.push(...item.options.map((option) => option.text));
    if (item.kind === 'yes-no-maybe') parts.push(...item.context);
  }
  for (const text of trace.texts) parts.push(text.original, text.review?.text ?? '');
  for (const answer of trace.answers) parts.push(answer.reply);
  return parts.join('\n').toLowerCase();
}

function matchesYesNo(filter: 'yes' | 'no' | undefined, value: boolean): boolean {
  return filter === undefined || (filter === 'yes') === value;
}

/** The traces that pass every filter given, in item order. */
export function filterTraces(traces: Iterable<ItemTrace>, filter: ItemFilter): ItemTrace[] {
  const words = filter.q?.toLowerCase().split(/\s+/) ?? [];
  return [...traces].filter((trace) => {
    if (filter.set && trace.set !== filter.set) return false;
    if (filter.subject && trace.item?.subject !== filter.subject) return false;
    if (!matchesYesNo(filter.dropped, trace.screening?.agrees === false)) return false;
    if (!matchesYesNo(filter.changed, changedBetweenStages(trace))) return false;
    if (
      !matchesYesNo(
        filter.reviewed,
        trace.texts.some((text) => text.review !== undefined),
      )
    )
      return false;
    if (filter.stage || filter.outcome) {
      const answer = filter.stage
        ? trace.answers.find((candidate) => candidate.stage === filter.stage)
        : finalAnswer(trace);
      if (!answer) return false;
      if (filter.outcome === 'right' && answer.correct !== true) return false;
      if (filter.outcome === 'wrong' && answer.correct !== false) return false;
    }
    if (words.length > 0) {
      const haystack = searchableText(trace);
      if (!words.every((word) => haystack.includes(word))) return false;
    }
    return true;
  });
}
