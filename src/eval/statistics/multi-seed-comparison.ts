import {
  type BootstrapOptions,
  bootstrapInterval,
  defaultBootstrapResamples,
  defaultBootstrapSeed,
  quantileOfSorted,
} from './bootstrap.js';
import type { Interval } from './interval.js';
import type { SeedDesign, SeedOutcomes } from './multi-seed-accuracy.js';
import { comparePaired } from './paired-comparison.js';
import { createSeededRandom } from './seeded-random.js';
import { exactSignFlipTest } from './sign-flip.js';

/** Two strategies over the same seeds and items: the difference, its interval and test. */
export interface MultiSeedComparison {
  /** Units of the test: items (shared items, one seed) or (seed, item) pairs of the draws. */
  units: number;
  seeds: number;
  /** Units where A did better (over seeds, for shared items), and where B did. */
  aBetter: number;
  bBetter: number;
  /** Mean accuracy of A minus that of B. */
  difference: number;
  differenceCi95: Interval;
  /** Two-sided p-value. */
  pValue: number;
  method: string;
}

export const singleSeedComparisonMethod = 'paired bootstrap over items; exact McNemar test';
export const sharedItemsComparisonMethod =
  'per-item mean correctness over seeds: paired bootstrap over items; exact sign-flip test over items';
export const perSeedDrawComparisonMethod =
  'two-level paired bootstrap (seeds, then items within seed); exact sign-flip test over the (seed, item) pairs';

const asNumber = (value: boolean) => (value ? 1 : 0);

/**
 * The percentile interval of a mean over (seed, item) units resampled at two levels: seeds with
 * replacement, then items with replacement within each chosen seed. Each seed's draw is its own
 * sample of items, so both the seed-to-seed and the item-to-item variation are in the interval.
 */
export function twoLevelBootstrapMean(
  values: readonly (readonly number[])[],
  options: BootstrapOptions = {},
): Interval {
  const resamples = options.resamples ?? defaultBootstrapResamples;
  const tail = (1 - (options.confidenceLevel ?? 0.95)) / 2;
  const random = createSeededRandom(options.seed ?? defaultBootstrapSeed);
  const means = new Float64Array(resamples);
  for (let resample = 0; resample < resamples; resample++) {
    let total = 0;
    let count = 0;
    for (let draw = 0; draw < values.length; draw++) {
      const row = values[Math.floor(random() * values.length)]!;
      for (let index = 0; index < row.length; index++) total += row[Math.floor(random() * row.length)]!;
      count += row.length;
    }
    means[resample] = total / count;
  }
  means.sort();
  return [quantileOfSorted(means, tail), quantileOfSorted(means, 1 - tail)];
}

/**
 * Compare strategy A with B over seeds, never counting seeds as items. One seed: the paired
 * bootstrap and exact McNemar test, as always. Shared items: per item, the mean over seeds of
 * A's correctness minus B's (a multiple of 1/seeds); the interval is the paired bootstrap over
 * items, the p-value the exact sign-flip test over items of those differences. Copies of one seed
 * give exactly one seed's interval and p-value. Per-seed draws: each draw's items are distinct
 * questions, paired within the draw; the interval is the two-level bootstrap
 * ({@link twoLevelBootstrapMean}), the p-value the exact sign-flip test over (seed, item) pairs.
 */
export function compareMultiSeed(
  a: SeedOutcomes,
  b: SeedOutcomes,
  design: SeedDesign,
  options: BootstrapOptions = {},
): MultiSeedComparison {
  if (a.length !== b.length || a.length === 0)
    throw new RangeError(`paired seeds differ in number: ${a.length} vs ${b.length}`);
  a.forEach((row, seed) => {
    if (row.length !== b[seed]!.length || row.length === 0)
      throw new RangeError(
        `seed ${seed}: paired outcomes differ in length: ${row.length} vs ${b[seed]!.length}`,
      );
  });
  const seeds = a.length;
  if (seeds === 1) {
    const paired = comparePaired(a[0]!, b[0]!, options);
    return {
      units: paired.n,
      seeds,
      aBetter: paired.onlyACorrect,
      bBetter: paired.onlyBCorrect,
      difference: paired.difference,
      differenceCi95: paired.differenceCi95,
      pValue: paired.pValue,
      method: singleSeedComparisonMethod,
    };
  }
  if (design === 'shared-items') {
    const items = a[0]!.length;
    if (a.some((row) => row.length !== items))
      throw new RangeError('shared-item outcomes must have the same items for every seed');
    // Per item: how many more seeds A got it right than B, an integer in [-seeds, seeds].
    const counts = Array.from({ length: items }, (_, item) =>
      a.reduce((sum, row, seed) => sum + asNumber(row[item]!) - asNumber(b[seed]![item]!), 0),
    );
    const total = counts.reduce((sum, count) => sum + count, 0);
    return {
      units: items,
      seeds,
      aBetter: counts.filter((count) => count > 0).length,
      bBetter: counts.filter((count) => count < 0).length,
      difference: total / (items * seeds),
      differenceCi95: bootstrapInterval(
        items,
        (indices) => {
          let sum = 0;
          for (const index of indices) sum += counts[index]!;
          return sum / (indices.length * seeds);
        },
        options,
      ),
      pValue: exactSignFlipTest(counts),
      method: sharedItemsComparisonMethod,
    };
  }
  const differences = a.map((row, seed) =>
    row.map((value, item) => asNumber(value) - asNumber(b[seed]![item]!)),
  );
  const flat = differences.flat();
  // The mean over seeds of each draw's difference: with equal draw sizes the mean over all pairs.
  const difference =
    differences.reduce((sum, row) => sum + row.reduce((s, d) => s + d, 0) / row.length, 0) / seeds;
  return {
    units: flat.length,
    seeds,
    aBetter: flat.filter((value) => value > 0).length,
    bBetter: flat.filter((value) => value < 0).length,
    difference,
    differenceCi95: twoLevelBootstrapMean(differences, options),
    pValue: exactSignFlipTest(flat),
    method: perSeedDrawComparisonMethod,
  };
}
