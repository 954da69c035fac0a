/**
 * Holm's step-down adjustment (Holm 1979) of p-values from several comparisons, controlling the
 * family-wise error rate without Bonferroni's loss of power. Returns adjusted p-values in the
 * input order (the same numbers as R's `p.adjust(p, "holm")`): sorted ascending, the i-th
 * smallest (1-based) is multiplied by m - i + 1, made monotone, and capped at 1.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  for (const p of pValues) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-values must be in [0, 1], got ${p}`);
  }
  const count = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((left, right) => left.p - right.p);
  const adjusted = new Array<number>(count).fill(1);
  let runningMaximum = 0;
  order.forEach(({ p, index }, rank) => {
    runningMaximum = Math.max(runningMaximum, Math.min(1, (count - rank) * p));
    adjusted[index] = runningMaximum;
  });
  return adjusted;
}
