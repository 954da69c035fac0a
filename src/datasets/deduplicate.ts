import { createHash } from 'node:crypto';
import { comparisonParts } from './comparison-text.js';
import type { Item } from './item.js';
import { referenceAnswerText } from './item.js';
import { normaliseForComparison } from './normalise-text.js';

/** A dropped copy: which item it repeats, and whether the two agree on the answer. */
export interface DuplicateItem {
  id: string;
  duplicateOf: string;
  sameAnswer: boolean;
}

/**
 * A hash of an item's normalised content (question, options in any order, context, image
 * names): equal for the same question however it is spaced, cased, punctuated or shuffled.
 */
export function itemContentKey(item: Item): string {
  const parts = comparisonParts(item);
  const normalised = [
    item.kind,
    normaliseForComparison(parts.question),
    parts.options.map(normaliseForComparison).sort().join('\u0001'),
    parts.context.map(normaliseForComparison).join('\u0001'),
    [...parts.images].sort().join('\u0001'),
  ].join('\u0000');
  return createHash('sha256').update(normalised).digest('hex');
}

/** The answer's text, normalised: comparable across shuffled options. */
function answerKey(item: Item): string {
  const text =
    item.kind === 'multiple-choice'
      ? (item.options.find((option) => option.key === item.answerKey)?.text ?? item.answerKey)
      : referenceAnswerText(item);
  return normaliseForComparison(text);
}

/** Keep the first of each group of items with the same content; report the rest. */
export function deduplicateItems(items: Iterable<Item>): { items: Item[]; duplicates: DuplicateItem[] } {
  const firstByKey = new Map<string, Item>();
  const kept: Item[] = [];
  const duplicates: DuplicateItem[] = [];
  for (const item of items) {
    const key = itemContentKey(item);
    const first = firstByKey.get(key);
    if (first) {
      duplicates.push({
        id: item.id,
        duplicateOf: first.id,
        sameAnswer: answerKey(first) === answerKey(item),
      });
    } else {
      firstByKey.set(key, item);
      kept.push(item);
    }
  }
  return { items: kept, duplicates };
}
