import type { Item } from '../datasets/item.js';
import {
  type MajorityBaseline,
  majorityBaseline,
  type PositionPriorBaseline,
  positionPriorBaseline,
} from '../eval/statistics/baselines.js';
import { holmAdjust } from '../eval/statistics/holm.js';
import type { Interval } from '../eval/statistics/interval.js';
import { comparePaired } from '../eval/statistics/paired-comparison.js';
import { wilsonInterval } from '../eval/statistics/wilson-interval.js';
import type { GroundingCondition, GroundingItemResult } from './grounding.js';

/** Accuracy under one condition, with what explains a low score (unreadable replies, failed calls). */
export interface ConditionSummary {
  condition: GroundingCondition;
  n: number;
  correct: number;
  accuracy: number;
  /** Wilson 95% interval. */
  ci95: Interval;
  unanswered: number;
  failed: number;
  meanPromptTokens: number;
}

/** The real image against one control, item by item. */
export interface ConditionComparison {
  condition: Exclude<GroundingCondition, 'real-image'>;
  /** Items right with the real image only, and with the control only. */
  onlyRealCorrect: number;
  onlyControlCorrect: number;
  /** accuracy(real) - accuracy(control). */
  difference: number;
  /** Paired percentile-bootstrap interval of the difference. */
  differenceCi95: Interval;
  /** Two-sided exact McNemar p-value, and Holm-adjusted over the three controls. */
  pValue: number;
  pValueHolm: number;
}

export interface GroundingSummary {
  n: number;
  conditions: ConditionSummary[];
  comparisons: ConditionComparison[];
  /** Always answering the most frequent option key (multiple-choice items only). */
  positionPrior: PositionPriorBaseline | null;
  /** Always answering the most frequent reference label. */
  majority: MajorityBaseline | null;
}

const order: GroundingCondition[] = ['real-image', 'blank-image', 'other-image', 'no-image'];

/** Accuracies with intervals, the three paired tests with Holm's correction, and the floors. */
export function summarizeGrounding(
  items: readonly Item[],
  results: readonly GroundingItemResult[],
): GroundingSummary {
  const conditions = order.map((condition): ConditionSummary => {
    const outcomes = results.map((result) => result.outcomes[condition]);
    const correct = outcomes.filter((outcome) => outcome.correct).length;
    const n = outcomes.length;
    return {
      condition,
      n,
      correct,
      accuracy: n === 0 ? 0 : correct / n,
      ci95: wilsonInterval(correct, n),
      unanswered: outcomes.filter((outcome) => outcome.error === undefined && outcome.prediction === null)
        .length,
      failed: outcomes.filter((outcome) => outcome.error !== undefined).length,
      meanPromptTokens: n === 0 ? 0 : outcomes.reduce((sum, outcome) => sum + outcome.promptTokens, 0) / n,
    };
  });
  const real = results.map((result) => result.outcomes['real-image'].correct);
  const controls = order.filter(
    (condition) => condition !== 'real-image',
  ) as ConditionComparison['condition'][];
  const paired =
    results.length === 0
      ? []
      : controls.map((condition) => ({
          condition,
          comparison: comparePaired(
            real,
            results.map((result) => result.outcomes[condition].correct),
          ),
        }));
  const adjusted = holmAdjust(paired.map(({ comparison }) => comparison.pValue));
  const comparisons = paired.map(
    ({ condition, comparison }, index): ConditionComparison => ({
      condition,
      onlyRealCorrect: comparison.onlyACorrect,
      onlyControlCorrect: comparison.onlyBCorrect,
      difference: comparison.difference,
      differenceCi95: comparison.differenceCi95,
      pValue: comparison.pValue,
      pValueHolm: adjusted[index]!,
    }),
  );
  return {
    n: results.length,
    conditions,
    comparisons,
    positionPrior: positionPriorBaseline(
      items,
      results.map((result) => result.outcomes['real-image'].prediction),
    ),
    majority: majorityBaseline(items),
  };
}
