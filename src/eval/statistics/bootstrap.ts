import type { Interval } from './interval.js';
import { createSeededRandom } from './seeded-random.js';

export interface BootstrapOptions {
  /** Number of resamples; 10,000 is the usual choice for a 95% percentile interval. */
  resamples?: number;
  /** Seed for the resampling, so the interval in a report can be reproduced exactly. */
  seed?: number;
  confidenceLevel?: number;
}

export const defaultBootstrapResamples = 10_000;
export const defaultBootstrapSeed = 20_241_105;

/**
 * The percentile bootstrap interval of a statistic over `size` units (items): each resample draws
 * `size` indices with replacement and `statistic` computes the value from them. Resampling item
 * indices (rather than values) is what lets a paired statistic keep its pairing.
 */
export function bootstrapInterval(
  size: number,
  statistic: (indices: Int32Array) => number,
  options: BootstrapOptions = {},
): Interval {
  const resamples = options.resamples ?? defaultBootstrapResamples;
  const confidenceLevel = options.confidenceLevel ?? 0.95;
  if (!Number.isInteger(size) || size <= 0)
    throw new RangeError(`bootstrap needs at least one unit, got ${size}`);
  if (!Number.isInteger(resamples) || resamples < 1)
    throw new RangeError(`resamples must be a positive integer`);
  if (!(confidenceLevel > 0 && confidenceLevel < 1))
    throw new RangeError(`confidence level must be in (0, 1)`);
  const random = createSeededRandom(options.seed ?? defaultBootstrapSeed);
  const values = new Float64Array(resamples);
  const indices = new Int32Array(size);
  for (let resample = 0; resample < resamples; resample++) {
    for (let position = 0; position < size; position++) indices[position] = Math.floor(random() * size);
    values[resample] = statistic(indices);
  }
  values.sort();
  const tail = (1 - confidenceLevel) / 2;
  return [quantileOfSorted(values, tail), quantileOfSorted(values, 1 - tail)];
}

/** Linear-interpolation quantile (Hyndman and Fan type 7, the R and NumPy default) of sorted values. */
export function quantileOfSorted(sorted: ArrayLike<number>, probability: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  const position = (sorted.length - 1) * probability;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  const fraction = position - below;
  return sorted[below]! + fraction * (sorted[above]! - sorted[below]!);
}

/** Percentile bootstrap interval of accuracy over per-item outcomes. */
export function bootstrapAccuracyInterval(
  correct: readonly boolean[],
  options: BootstrapOptions = {},
): Interval {
  const outcomes = Uint8Array.from(correct, (value) => (value ? 1 : 0));
  return bootstrapInterval(
    outcomes.length,
    (indices) => {
      let total = 0;
      for (const index of indices) total += outcomes[index]!;
      return total / indices.length;
    },
    options,
  );
}

/**
 * Paired bootstrap of the accuracy difference (a minus b) of two models on the same items: both
 * models' outcomes are resampled with the same item indices, so the interval reflects only the
 * items on which they disagree, as a paired design should.
 */
export function pairedBootstrapDifference(
  correctA: readonly boolean[],
  correctB: readonly boolean[],
  options: BootstrapOptions = {},
): { difference: number; ci95: Interval } {
  if (correctA.length !== correctB.length) {
    throw new RangeError(`paired outcomes differ in length: ${correctA.length} vs ${correctB.length}`);
  }
  // Per item: +1 when only a is right, -1 when only b is right, 0 when they agree.
  const deltas = Int8Array.from(correctA, (value, index) => (value ? 1 : 0) - (correctB[index] ? 1 : 0));
  let sum = 0;
  for (const delta of deltas) sum += delta;
  const ci95 = bootstrapInterval(
    deltas.length,
    (indices) => {
      let total = 0;
      for (const index of indices) total += deltas[index]!;
      return total / indices.length;
    },
    options,
  );
  return { difference: sum / deltas.length, ci95 };
}
