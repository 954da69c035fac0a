/**
 * The exact two-sided sign-flip (paired permutation) test of integer paired differences: under
 * the null hypothesis each unit's difference is as likely to have either sign, so the reference
 * distribution of the sum is that of sum(±d_i) over all 2^n sign choices. With integer
 * differences it is computed exactly by counting sums (no Monte Carlo), in O(n · range).
 * p = P(|S| >= |observed sum|). For differences in {-1, 0, 1} this is the exact McNemar test.
 */
export function exactSignFlipTest(differences: readonly number[]): number {
  const magnitudes = differences.map((difference) => {
    if (!Number.isInteger(difference))
      throw new RangeError(`sign-flip differences must be integers, got ${difference}`);
    return Math.abs(difference);
  });
  const observed = Math.abs(differences.reduce((sum, difference) => sum + difference, 0));
  const total = magnitudes.reduce((sum, magnitude) => sum + magnitude, 0);
  if (observed === 0) return 1;
  // Probability of each sum, offset by `total` so index 0 is the sum -total.
  let probabilities = new Float64Array(2 * total + 1);
  probabilities[total] = 1;
  for (const magnitude of magnitudes) {
    if (magnitude === 0) continue;
    const next = new Float64Array(probabilities.length);
    for (let index = 0; index < probabilities.length; index++) {
      const probability = probabilities[index]!;
      if (probability === 0) continue;
      next[index - magnitude]! += probability / 2;
      next[index + magnitude]! += probability / 2;
    }
    probabilities = next;
  }
  let tail = 0;
  for (let index = 0; index < probabilities.length; index++)
    if (Math.abs(index - total) >= observed) tail += probabilities[index]!;
  return Math.min(1, tail);
}
