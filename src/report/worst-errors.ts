import { type ItemRecord, type Outcome, type RunReport, strategyLabel } from './run-report.js';

export interface ErrorEntry {
  itemId: string;
  item: ItemRecord | undefined;
  /** How many strategies (with outcomes for this item) got it wrong, and of how many. */
  wrongCount: number;
  outcomeCount: number;
  /** The highest confidence any strategy put in a wrong answer (0 when none was given). */
  worstConfidence: number;
  /** Every strategy's outcome on the item, right or wrong, by label. */
  outcomes: { strategy: string; outcome: Outcome }[];
}

/**
 * The errors worth reading first: items most strategies got wrong, then those answered wrongly
 * with the most confidence (a confident error is the dangerous kind in medicine), then by id.
 */
export function worstErrors(report: RunReport, limit = 50): ErrorEntry[] {
  const items = new Map(report.items.map((item) => [item.itemId, item]));
  const byItem = new Map<string, { strategy: string; outcome: Outcome }[]>();
  for (const strategy of report.strategies) {
    for (const outcome of strategy.outcomes ?? []) {
      const list = byItem.get(outcome.itemId) ?? [];
      list.push({ strategy: strategyLabel(strategy), outcome });
      byItem.set(outcome.itemId, list);
    }
  }
  const entries: ErrorEntry[] = [];
  for (const [itemId, outcomes] of byItem) {
    const wrong = outcomes.filter(({ outcome }) => !outcome.correct);
    if (wrong.length === 0) continue;
    entries.push({
      itemId,
      item: items.get(itemId),
      wrongCount: wrong.length,
      outcomeCount: outcomes.length,
      worstConfidence: Math.max(0, ...wrong.map(({ outcome }) => outcome.confidence ?? 0)),
      outcomes,
    });
  }
  return entries
    .sort(
      (left, right) =>
        right.wrongCount - left.wrongCount ||
        right.worstConfidence - left.worstConfidence ||
        left.itemId.localeCompare(right.itemId),
    )
    .slice(0, limit);
}
