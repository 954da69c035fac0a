import type { BootstrapOptions } from '../eval/statistics/bootstrap.js';
import { holmAdjust } from '../eval/statistics/holm.js';
import { comparePaired } from '../eval/statistics/paired-comparison.js';
import type { Comparison, Outcome } from './run-report.js';

export interface OutcomeComparison extends Comparison {
  /** Items only one side has an outcome for; they are left out of the paired test. */
  onlyInA: number;
  onlyInB: number;
}

/**
 * Pair two strategies' outcomes on the item ids they share (in A's order) and compare them:
 * the 2x2 table, exact McNemar and the paired bootstrap interval of the difference. Null when
 * they share no item.
 */
export function compareOutcomes(
  a: { label: string; outcomes: readonly Outcome[] },
  b: { label: string; outcomes: readonly Outcome[] },
  bootstrap: BootstrapOptions = {},
): OutcomeComparison | null {
  const bById = new Map(b.outcomes.map((outcome) => [outcome.itemId, outcome.correct]));
  const correctA: boolean[] = [];
  const correctB: boolean[] = [];
  for (const outcome of a.outcomes) {
    const other = bById.get(outcome.itemId);
    if (other === undefined) continue;
    correctA.push(outcome.correct);
    correctB.push(other);
  }
  if (correctA.length === 0) return null;
  const paired = comparePaired(correctA, correctB, bootstrap);
  return {
    a: a.label,
    b: b.label,
    n: paired.n,
    bothCorrect: paired.bothCorrect,
    onlyACorrect: paired.onlyACorrect,
    onlyBCorrect: paired.onlyBCorrect,
    bothWrong: paired.bothWrong,
    accuracyA: paired.accuracyA,
    accuracyB: paired.accuracyB,
    difference: paired.difference,
    differenceCi95: paired.differenceCi95,
    pValue: paired.pValue,
    onlyInA: a.outcomes.length - paired.n,
    onlyInB: b.outcomes.length - paired.n,
  };
}

/** Set each comparison's Holm-adjusted p-value, the family being the comparisons given. */
export function withHolm<T extends Comparison>(comparisons: readonly T[]): T[] {
  const adjusted = holmAdjust(comparisons.map((comparison) => comparison.pValue));
  return comparisons.map((comparison, index) => ({ ...comparison, pValueHolm: adjusted[index]! }));
}
