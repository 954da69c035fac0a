import type { Item } from '../../datasets/item.js';
import { holmAdjust } from '../../eval/statistics/holm.js';
import type { Interval } from '../../eval/statistics/interval.js';
import { comparePaired } from '../../eval/statistics/paired-comparison.js';
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
  /** Pooled over seeds: every (seed, item) pair counts once. */
  accuracy: number;
  ci95: Interval;
  meanAccuracy: number;
  error?: string;
}

export interface Comparison {
  a: string;
  b: string;
  n: number;
  onlyACorrect: number;
  onlyBCorrect: number;
  difference: number;
  differenceCi95: Interval;
  pValue: number;
  /** Holm-adjusted across all comparisons of the run. */
  adjustedPValue: number;
}

export interface DistillationResults {
  name: string;
  createdAt: string;
  testItems: number;
  trainItems: number;
  strategies: StrategyResult[];
  /** The reference strategy (MedThink when run) against each other one, paired on (seed, item). */
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

/** Outcome vector over (seed, item) pairs, ordered by seed then test item, for paired tests. */
function outcomeVector(
  result: StrategyOutcome[],
  seeds: number[],
  test: readonly Item[],
): boolean[] | undefined {
  const vector: boolean[] = [];
  for (const seed of seeds) {
    const outcome = result.find((entry) => entry.seed === seed);
    const final = outcome?.evaluations.at(-1);
    if (!final) return undefined;
    const byId = new Map(
      final.predictions.map((prediction) => [prediction.itemId, prediction.correct === true]),
    );
    for (const item of test) vector.push(byId.get(item.id) ?? false);
  }
  return vector;
}

/** Accuracies with Wilson intervals, and paired exact McNemar tests of the reference strategy against the others (Holm-corrected). */
export function summarise(options: {
  name: string;
  outcomes: Map<string, StrategyOutcome[]>;
  errors: Map<string, string>;
  descriptions: Map<string, string>;
  seeds: number[];
  train: readonly Item[];
  test: readonly Item[];
  reference?: string | undefined;
}): DistillationResults {
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
    const correct = seeds.reduce((sum, seed) => sum + seed.correct, 0);
    const total = seeds.reduce((sum, seed) => sum + seed.total, 0);
    const error = options.errors.get(strategy);
    strategies.push({
      strategy,
      description,
      seeds,
      accuracy: total ? correct / total : 0,
      ci95: wilsonInterval(correct, total),
      meanAccuracy: seeds.length ? seeds.reduce((sum, seed) => sum + seed.accuracy, 0) / seeds.length : 0,
      ...(error !== undefined ? { error } : {}),
    });
  }
  const reference =
    options.reference && options.outcomes.has(options.reference) ? options.reference : undefined;
  const comparisons: Comparison[] = [];
  const referenceVector = reference
    ? outcomeVector(options.outcomes.get(reference)!, options.seeds, options.test)
    : undefined;
  if (reference && referenceVector) {
    for (const [strategy, outcomes] of options.outcomes) {
      if (strategy === reference) continue;
      const vector = outcomeVector(outcomes, options.seeds, options.test);
      if (!vector) continue;
      const paired = comparePaired(referenceVector, vector, { seed: 1 });
      comparisons.push({
        a: reference,
        b: strategy,
        n: paired.n,
        onlyACorrect: paired.onlyACorrect,
        onlyBCorrect: paired.onlyBCorrect,
        difference: paired.difference,
        differenceCi95: paired.differenceCi95,
        pValue: paired.pValue,
        adjustedPValue: paired.pValue,
      });
    }
    const adjusted = holmAdjust(comparisons.map((comparison) => comparison.pValue));
    comparisons.forEach((comparison, index) => {
      comparison.adjustedPValue = adjusted[index]!;
    });
  }
  return {
    name: options.name,
    createdAt: new Date().toISOString(),
    testItems: options.test.length,
    trainItems: options.train.length,
    strategies,
    comparisons,
  };
}
