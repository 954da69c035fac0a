import type { Item } from '../../datasets/item.js';
import { holmAdjust } from '../../eval/statistics/holm.js';
import type { Interval } from '../../eval/statistics/interval.js';
import {
  multiSeedAccuracy,
  perSeedDrawAccuracyMethod,
  type SeedDesign,
  sharedItemsAccuracyMethod,
  singleSeedAccuracyMethod,
} from '../../eval/statistics/multi-seed-accuracy.js';
import {
  compareMultiSeed,
  type MultiSeedComparison,
  perSeedDrawComparisonMethod,
  sharedItemsComparisonMethod,
  singleSeedComparisonMethod,
} from '../../eval/statistics/multi-seed-comparison.js';
import { type SeedSpread, seedSpread } from '../../eval/statistics/seed-spread.js';
import { wilsonInterval } from '../../eval/statistics/wilson-interval.js';
import type { TrainingProgress } from '../../training/training-engine.js';
import type { StrategyOutcome } from '../strategies/strategy.js';

export interface StageAccuracy {
  stage: string;
  correct: number;
  total: number;
  accuracy: number;
  ci95: Interval;
}

export interface SeedResult {
  seed: number;
  /** The final student's accuracy (the last stage). */
  accuracy: number;
  correct: number;
  total: number;
  ci95: Interval;
  /** The final student scored by log-likelihood over the options (items with options only). */
  loglik?: StageAccuracy;
  stages: StageAccuracy[];
  counts: Record<string, number>;
  failedItems: string[];
  training: { stage: string; history: TrainingProgress[] }[];
}

export interface StrategyResult {
  strategy: string;
  description: string;
  seeds: SeedResult[];
  /** The mean over seeds of each seed's accuracy (one seed: its accuracy). */
  accuracy: number;
  /** 95% interval on `accuracy` by `statistics.accuracyMethod` of the results. */
  ci95: Interval;
  /** Per-seed accuracies: mean, sample SD and range. */
  spread: SeedSpread;
  /** Independent items the interval's variance corresponds to (seeds never count as items). */
  effectiveItems: number;
  /** The same as `accuracy`; kept for readers of earlier results. */
  meanAccuracy: number;
  error?: string;
}

/** The reference against one strategy, by the run's seed-aware method (see {@link compareMultiSeed}). */
export interface Comparison extends Omit<MultiSeedComparison, 'units' | 'method'> {
  a: string;
  b: string;
  /** Units of the test: test items (shared across seeds) or (seed, item) pairs of per-seed draws. */
  n: number;
  /** Holm-adjusted across all comparisons of the run. */
  adjustedPValue: number;
}

/** How the run's seeds relate to its test items, and the methods the numbers come from. */
export interface ResultStatistics {
  /** `single-seed`, or the multi-seed design (see {@link SeedDesign}). */
  design: 'single-seed' | SeedDesign;
  accuracyMethod: string;
  comparisonMethod: string;
}

export interface DistillationResults {
  name: string;
  createdAt: string;
  /** Test and training items of one seed (each seed's draw has the same sizes). */
  testItems: number;
  trainItems: number;
  statistics: ResultStatistics;
  strategies: StrategyResult[];
  /** The reference strategy (MedThink when run) against each other one (Holm-corrected). */
  comparisons: Comparison[];
}

function stageAccuracy(stage: string, correct: number, total: number): StageAccuracy {
  return {
    stage,
    correct,
    total,
    accuracy: total ? correct / total : 0,
    ci95: wilsonInterval(correct, total),
  };
}

/** Per seed (in `seeds` order), the final stage's correctness on that seed's test items; undefined if a seed is missing. */
function outcomeRows(
  result: readonly StrategyOutcome[],
  seeds: readonly number[],
  testFor: (seed: number) => readonly Item[],
): boolean[][] | undefined {
  const rows: boolean[][] = [];
  for (const seed of seeds) {
    const final = result.find((entry) => entry.seed === seed)?.evaluations.at(-1);
    if (!final) return undefined;
    const byId = new Map(
      final.predictions.map((prediction) => [prediction.itemId, prediction.correct === true]),
    );
    rows.push(testFor(seed).map((item) => byId.get(item.id) ?? false));
  }
  return rows;
}

/** The statistics design of a run: one seed, several on shared items, or one draw per seed. */
export function resultStatistics(seedCount: number, perSeedDraws: boolean): ResultStatistics {
  if (seedCount <= 1)
    return {
      design: 'single-seed',
      accuracyMethod: singleSeedAccuracyMethod,
      comparisonMethod: singleSeedComparisonMethod,
    };
  return perSeedDraws
    ? {
        design: 'per-seed-draws',
        accuracyMethod: perSeedDrawAccuracyMethod,
        comparisonMethod: perSeedDrawComparisonMethod,
      }
    : {
        design: 'shared-items',
        accuracyMethod: sharedItemsAccuracyMethod,
        comparisonMethod: sharedItemsComparisonMethod,
      };
}

/**
 * Accuracies with intervals and paired tests of the reference strategy against the others
 * (Holm-corrected), by seed-aware methods: one seed keeps the Wilson interval and exact McNemar
 * test; several seeds report the per-seed spread, an interval whose variance counts items and
 * seeds as what they are, and comparisons on per-item mean correctness (see eval/statistics).
 */
export function summarise(options: {
  name: string;
  outcomes: Map<string, StrategyOutcome[]>;
  errors: Map<string, string>;
  descriptions: Map<string, string>;
  seeds: number[];
  /** Each seed's items; the same lists for every seed unless `perSeedDraws`. */
  trainFor: (seed: number) => readonly Item[];
  testFor: (seed: number) => readonly Item[];
  /** Each seed has its own draw of items (items nested in seeds). */
  perSeedDraws: boolean;
  reference?: string | undefined;
}): DistillationResults {
  const statistics = resultStatistics(options.seeds.length, options.perSeedDraws);
  const design: SeedDesign = options.perSeedDraws ? 'per-seed-draws' : 'shared-items';
  const strategies: StrategyResult[] = [];
  for (const [strategy, description] of options.descriptions) {
    const outcomes = options.outcomes.get(strategy) ?? [];
    const seeds = outcomes.map((outcome): SeedResult => {
      const stages = outcome.evaluations.map((evaluation) =>
        stageAccuracy(evaluation.stage, evaluation.correct, evaluation.total),
      );
      const final = stages.at(-1) ?? stageAccuracy('none', 0, 0);
      const loglik = outcome.evaluations.at(-1)?.loglik;
      return {
        seed: outcome.seed,
        accuracy: final.accuracy,
        correct: final.correct,
        total: final.total,
        ci95: final.ci95,
        ...(loglik ? { loglik: stageAccuracy('loglik', loglik.correct, loglik.total) } : {}),
        stages,
        counts: outcome.counts,
        failedItems: outcome.failedItems,
        training: outcome.training,
      };
    });
    const error = options.errors.get(strategy);
    const rows = outcomeRows(outcomes, options.seeds, options.testFor);
    const spread = seeds.length ? seedSpread(seeds.map((seed) => seed.accuracy)) : seedSpread([0]);
    const accuracy = rows?.every((row) => row.length > 0) ? multiSeedAccuracy(rows, design) : undefined;
    strategies.push({
      strategy,
      description,
      seeds,
      accuracy: accuracy?.accuracy ?? spread.mean,
      ci95: accuracy?.ci95 ?? [0, 1],
      spread,
      effectiveItems: accuracy?.effectiveItems ?? 0,
      meanAccuracy: spread.mean,
      ...(error !== undefined ? { error } : {}),
    });
  }
  const reference =
    options.reference && options.outcomes.has(options.reference) ? options.reference : undefined;
  const comparisons: Comparison[] = [];
  const referenceRows = reference
    ? outcomeRows(options.outcomes.get(reference)!, options.seeds, options.testFor)
    : undefined;
  if (reference && referenceRows) {
    for (const [strategy, outcomes] of options.outcomes) {
      if (strategy === reference) continue;
      const rows = outcomeRows(outcomes, options.seeds, options.testFor);
      if (!rows) continue;
      const {
        units,
        method: _method,
        ...compared
      } = compareMultiSeed(referenceRows, rows, design, {
        seed: 1,
      });
      comparisons.push({ a: reference, b: strategy, n: units, ...compared, adjustedPValue: compared.pValue });
    }
    const adjusted = holmAdjust(comparisons.map((comparison) => comparison.pValue));
    comparisons.forEach((comparison, index) => {
      comparison.adjustedPValue = adjusted[index]!;
    });
  }
  const first = options.seeds[0] ?? 1;
  return {
    name: options.name,
    createdAt: new Date().toISOString(),
    testItems: options.testFor(first).length,
    trainItems: options.trainFor(first).length,
    statistics,
    strategies,
    comparisons,
  };
}
