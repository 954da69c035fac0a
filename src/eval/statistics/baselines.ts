import type { Item } from '../../datasets/item.js';
import type { Interval } from './interval.js';
import { wilsonInterval } from './wilson-interval.js';

/**
 * What a model gets by knowing only where answers tend to sit. Medical benchmarks are often
 * skewed (B and C are 62% of PMC-VQA test_clean), so a model that learnt "pick C" can look
 * better than chance; a result only means something above this line.
 */
export interface PositionPriorBaseline {
  /** How often each option key is the correct one among the evaluated multiple-choice items. */
  answerKeyCounts: Record<string, number>;
  /** The key that is most often correct in the items the prior was fitted on. */
  mostFrequentKey: string;
  /** Accuracy of always answering `mostFrequentKey` on the evaluated items. */
  accuracy: number;
  ci95: Interval;
  /** Expected accuracy of guessing uniformly: the mean of 1 / (number of options). */
  chanceAccuracy: number;
  /** How often the model chose each key: a model's own letter bias shows here. */
  predictedKeyCounts: Record<string, number>;
  /** Fitted on the evaluated items themselves (an optimistic baseline) or on separate items. */
  fittedOn: 'evaluated-items' | 'reference-items';
  n: number;
}

/** Accuracy of always predicting the most common reference label (answer key, yes/no/maybe, or text). */
export interface MajorityBaseline {
  label: string;
  accuracy: number;
  ci95: Interval;
  n: number;
}

function countBy<T>(values: readonly T[], keyOf: (value: T) => string | null): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) {
    const key = keyOf(value);
    if (key !== null) counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The most frequent key; ties go to the key that sorts first, so the result is deterministic. */
function mostFrequent(counts: Record<string, number>): string | null {
  let best: string | null = null;
  for (const key of Object.keys(counts).sort()) {
    if (best === null || counts[key]! > counts[best]!) best = key;
  }
  return best;
}

/**
 * The answer-position prior baseline for the multiple-choice items among `items`. `predictions`
 * (aligned with `items`) adds the model's own key distribution. Pass `referenceItems` (e.g. the
 * training split) to fit the prior there rather than on the evaluated items. Null when there are
 * no multiple-choice items.
 */
export function positionPriorBaseline(
  items: readonly Item[],
  predictions: readonly (string | null)[] = [],
  referenceItems?: readonly Item[],
): PositionPriorBaseline | null {
  const multipleChoice = items.flatMap((item) => (item.kind === 'multiple-choice' ? [item] : []));
  if (multipleChoice.length === 0) return null;
  const answerKeyCounts = countBy(multipleChoice, (item) => item.answerKey);
  const fitCounts = referenceItems
    ? countBy(referenceItems, (item) => (item.kind === 'multiple-choice' ? item.answerKey : null))
    : answerKeyCounts;
  const mostFrequentKey = mostFrequent(fitCounts) ?? mostFrequent(answerKeyCounts)!;
  const hits = answerKeyCounts[mostFrequentKey] ?? 0;
  const predictedKeyCounts = countBy(
    items.flatMap((item, index) => (item.kind === 'multiple-choice' ? [predictions[index] ?? null] : [])),
    (prediction) => prediction,
  );
  const chanceAccuracy =
    multipleChoice.reduce((sum, item) => sum + 1 / item.options.length, 0) / multipleChoice.length;
  return {
    answerKeyCounts,
    mostFrequentKey,
    accuracy: hits / multipleChoice.length,
    ci95: wilsonInterval(hits, multipleChoice.length),
    chanceAccuracy,
    predictedKeyCounts,
    fittedOn: referenceItems ? 'reference-items' : 'evaluated-items',
    n: multipleChoice.length,
  };
}

/** The label an item is scored against, as used for the majority baseline. */
export function referenceLabel(item: Item): string {
  switch (item.kind) {
    case 'multiple-choice':
      return item.answerKey;
    case 'yes-no-maybe':
      return item.answer;
    case 'open-ended':
      return item.referenceAnswer.trim().toLowerCase();
  }
}

/** The majority-class baseline over all items; null when there are none. */
export function majorityBaseline(items: readonly Item[]): MajorityBaseline | null {
  if (items.length === 0) return null;
  const counts = countBy(items, referenceLabel);
  const label = mostFrequent(counts)!;
  const hits = counts[label]!;
  return { label, accuracy: hits / items.length, ci95: wilsonInterval(hits, items.length), n: items.length };
}
