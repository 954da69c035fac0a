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
  const z = twoSidedCriticalValue(confidenceLevel);
  const proportion = successes / trials;
  const zSquared = z * z;
  const denominator = 1 + zSquared / trials;
  const centre = (proportion + zSquared / (2 * trials)) / denominator;
  const halfWidth =
    (z / denominator) *
    Math.sqrt((proportion * (1 - proportion)) / trials + zSquared / (4 * trials * trials));
  // At 0 or n successes the exact bound is 0 or 1; clamp away rounding noise.
  const low = successes === 0 ? 0 : Math.max(0, centre - halfWidth);
  const high = successes === trials ? 1 : Math.min(1, centre + halfWidth);
  return [low, high];
}
