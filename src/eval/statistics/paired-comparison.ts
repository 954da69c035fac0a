import { type BootstrapOptions, pairedBootstrapDifference } from './bootstrap.js';
import type { Interval } from './interval.js';
import { exactMcNemarTest } from './mcnemar.js';

/** Two models scored on the same items: the 2x2 table, the accuracy difference and its tests. */
export interface PairedComparison {
  n: number;
  bothCorrect: number;
  onlyACorrect: number;
  onlyBCorrect: number;
  bothWrong: number;
  accuracyA: number;
  accuracyB: number;
  /** accuracyA - accuracyB. */
  difference: number;
  /** Paired percentile-bootstrap interval of the difference. */
  differenceCi95: Interval;
  /** Two-sided exact McNemar p-value. */
  pValue: number;
}

/**
 * Compare two models item by item. Outcomes must be aligned (index i is the same item for both):
 * a paired test is far more sensitive than comparing two overlapping intervals, because the
 * items both models get right or wrong carry no information about the difference.
 */
export function comparePaired(
  correctA: readonly boolean[],
  correctB: readonly boolean[],
  options: BootstrapOptions = {},
): PairedComparison {
  if (correctA.length !== correctB.length) {
    throw new RangeError(`paired outcomes differ in length: ${correctA.length} vs ${correctB.length}`);
  }
  if (correctA.length === 0) throw new RangeError('a paired comparison needs at least one shared item');
  let bothCorrect = 0;
  let onlyACorrect = 0;
  let onlyBCorrect = 0;
  let bothWrong = 0;
  correctA.forEach((a, index) => {
    const b = correctB[index]!;
    if (a && b) bothCorrect++;
    else if (a) onlyACorrect++;
    else if (b) onlyBCorrect++;
    else bothWrong++;
  });
  const n = correctA.length;
  const { difference, ci95 } = pairedBootstrapDifference(correctA, correctB, options);
  return {
    n,
    bothCorrect,
    onlyACorrect,
    onlyBCorrect,
    bothWrong,
    accuracyA: (bothCorrect + onlyACorrect) / n,
    accuracyB: (bothCorrect + onlyBCorrect) / n,
    difference,
    differenceCi95: ci95,
    pValue: exactMcNemarTest(onlyACorrect, onlyBCorrect).pValue,
  };
}
