import type { Interval } from './interval.js';
import { seedSpread } from './seed-spread.js';
import { wilsonInterval, wilsonScoreInterval } from './wilson-interval.js';

/**
 * How seeds relate to test items. `shared-items`: every seed is scored on the same items (only
 * training varies), a crossed seed × item design. `per-seed-draws`: each seed has its own test
 * draw, items nested in seeds.
 */
export type SeedDesign = 'shared-items' | 'per-seed-draws';

/** Outcomes of one strategy: one row per seed, one entry per test item (aligned across seeds for shared items). */
export type SeedOutcomes = readonly (readonly boolean[])[];

export interface MultiSeedAccuracy {
  /** Mean over seeds of each seed's accuracy (for shared items, also the mean of per-item mean correctness). */
  accuracy: number;
  ci95: Interval;
  /** The number of independent items that would give the estimate's variance (Kish); n for one seed. */
  effectiveItems: number;
  /** How the interval was computed, for the report. */
  method: string;
}

export const singleSeedAccuracyMethod = 'Wilson score interval over items';
export const sharedItemsAccuracyMethod =
  'Wilson score interval at the effective sample size of a two-way (item × seed) random-effects variance of the mean';
export const perSeedDrawAccuracyMethod =
  'Wilson score interval at the effective sample size of a two-level (seed, item within seed) random-effects variance of the mean';

const fraction = (row: readonly boolean[]) => row.filter(Boolean).length / row.length;

/**
 * Variance of the grand mean in a crossed design y[s][i] = mu + item_i + seed_s + e_si, by the
 * method of moments: the item part is the variance over items of per-item mean correctness (over
 * n), the seed part is the seed variance component over S. The seed component is the variance of
 * per-seed accuracies less what the residual alone would give it, and never below 0, so seeds
 * that agree add nothing and copies of one seed give exactly one seed's variance.
 */
export function sharedItemsVariance(outcomes: SeedOutcomes): number {
  const seeds = outcomes.length;
  const items = outcomes[0]!.length;
  const itemMeans = Array.from({ length: items }, (_, item) => {
    let total = 0;
    for (const row of outcomes) total += row[item] ? 1 : 0;
    return total / seeds;
  });
  const seedMeans = outcomes.map(fraction);
  const grand = seedMeans.reduce((sum, value) => sum + value, 0) / seeds;
  // Population variance over items: with one seed (or identical seeds) it is p(1 - p) exactly.
  const itemVariance = itemMeans.reduce((sum, value) => sum + (value - grand) ** 2, 0) / items;
  if (seeds < 2 || items < 2) return itemVariance / items;
  let residualSquares = 0;
  outcomes.forEach((row, seed) => {
    row.forEach((value, item) => {
      residualSquares += ((value ? 1 : 0) - itemMeans[item]! - seedMeans[seed]! + grand) ** 2;
    });
  });
  const residualMeanSquare = residualSquares / ((items - 1) * (seeds - 1));
  const seedMeanSquare = seedSpread(seedMeans).sd ** 2;
  const seedComponent = Math.max(0, seedMeanSquare - residualMeanSquare / items);
  return itemVariance / items + seedComponent / seeds;
}

/**
 * Variance of the mean of per-seed accuracies when each seed has its own draw of items: one-way
 * random effects (seeds, items within seed) by the method of moments. Within a seed, the
 * binomial variance p_s(1 - p_s)/n_s; between seeds, the variance of per-seed accuracies beyond
 * what the within-seed part explains (never below 0).
 */
export function perSeedDrawVariance(outcomes: SeedOutcomes): number {
  const seeds = outcomes.length;
  const accuracies = outcomes.map(fraction);
  const within =
    outcomes.reduce((sum, row, seed) => {
      const p = accuracies[seed]!;
      return sum + (p * (1 - p)) / row.length;
    }, 0) / seeds;
  if (seeds < 2) return within;
  const between = Math.max(0, seedSpread(accuracies).sd ** 2 - within);
  return (within + between) / seeds;
}

/**
 * Accuracy over seeds with an interval that respects the design. One seed: the Wilson interval
 * over its items, as always. Several: the mean of per-seed accuracies, with the Wilson score
 * interval at the effective sample size p(1 - p) / variance, the variance from
 * {@link sharedItemsVariance} or {@link perSeedDrawVariance}. Seeds never count as items: for
 * shared items the effective size lies between n (seeds that agree) and n × seeds, and falls
 * below n when seeds disagree as a whole. When every outcome is the same (p is 0 or 1) there is
 * no variance to read, and the interval is Wilson's over the items of one seed (shared) or all draws.
 */
export function multiSeedAccuracy(outcomes: SeedOutcomes, design: SeedDesign): MultiSeedAccuracy {
  if (outcomes.length === 0 || outcomes.some((row) => row.length === 0))
    throw new RangeError('accuracy needs at least one seed with at least one item');
  if (outcomes.length === 1) {
    const row = outcomes[0]!;
    const correct = row.filter(Boolean).length;
    return {
      accuracy: correct / row.length,
      ci95: wilsonInterval(correct, row.length),
      effectiveItems: row.length,
      method: singleSeedAccuracyMethod,
    };
  }
  if (design === 'shared-items' && outcomes.some((row) => row.length !== outcomes[0]!.length))
    throw new RangeError('shared-item outcomes must have the same items for every seed');
  const accuracy = seedSpread(outcomes.map(fraction)).mean;
  const variance = design === 'shared-items' ? sharedItemsVariance(outcomes) : perSeedDrawVariance(outcomes);
  const allItems = outcomes.reduce((sum, row) => sum + row.length, 0);
  const floor = design === 'shared-items' ? outcomes[0]!.length : allItems;
  const binomial = accuracy * (1 - accuracy);
  const effectiveItems = binomial === 0 || variance === 0 ? floor : Math.min(allItems, binomial / variance);
  return {
    accuracy,
    ci95: wilsonScoreInterval(accuracy, effectiveItems),
    effectiveItems,
    method: design === 'shared-items' ? sharedItemsAccuracyMethod : perSeedDrawAccuracyMethod,
  };
}
