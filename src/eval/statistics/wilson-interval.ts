import type { Interval } from './interval.js';
import { twoSidedCriticalValue } from './normal-quantile.js';

/**
 * The Wilson score interval for a binomial proportion (Wilson 1927; method 3 in Newcombe 1998).
 * Unlike the normal-approximation interval it stays inside [0, 1] and keeps near-nominal coverage
 * for small n and for accuracies near 0 or 1, which is where small medical test sets live.
 * With no trials there is no information, so the interval is the whole of [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, confidenceLevel = 0.95): Interval {
  if (
    !Number.isInteger(successes) ||
    !Number.isInteger(trials) ||
    successes < 0 ||
    trials < 0 ||
    successes > trials
  ) {
    throw new RangeError(
      `wilsonInterval needs integers 0 <= successes <= trials, got ${successes}/${trials}`,
    );
  }
  if (trials === 0) return [0, 1];
  const [low, high] = wilsonScoreInterval(successes / trials, trials, confidenceLevel);
  // At 0 or n successes the exact bound is 0 or 1; clamp away rounding noise.
  return [successes === 0 ? 0 : low, successes === trials ? 1 : high];
}

/**
 * The Wilson score interval at a proportion and a sample size that need not be integers: the
 * form used with an effective sample size (Korn and Graubard 1998), where a clustered design's
 * variance is turned into the number of independent items that would give the same variance.
 */
export function wilsonScoreInterval(proportion: number, size: number, confidenceLevel = 0.95): Interval {
  if (!(proportion >= 0 && proportion <= 1))
    throw new RangeError(`proportion must be in [0, 1], got ${proportion}`);
  if (!(size > 0)) throw new RangeError(`sample size must be positive, got ${size}`);
  const z = twoSidedCriticalValue(confidenceLevel);
  const zSquared = z * z;
  const denominator = 1 + zSquared / size;
  const centre = (proportion + zSquared / (2 * size)) / denominator;
  const halfWidth =
    (z / denominator) * Math.sqrt((proportion * (1 - proportion)) / size + zSquared / (4 * size * size));
  return [Math.max(0, centre - halfWidth), Math.min(1, centre + halfWidth)];
}
