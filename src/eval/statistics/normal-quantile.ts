// Acklam's coefficients for the inverse normal CDF.
const centralNumerator = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const centralDenominator = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572, 1,
];
const tailNumerator = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const tailDenominator = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416, 1];
const tailBoundary = 0.02425;

/** Horner evaluation, coefficients from the highest power down. */
function polynomial(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (const coefficient of coefficients) value = value * x + coefficient;
  return value;
}

/**
 * The standard normal quantile (inverse CDF) by Acklam's rational approximation (relative error
 * below 1.2e-9), plenty for interval critical values at any confidence level.
 */
export function normalQuantile(probability: number): number {
  if (!(probability > 0 && probability < 1)) {
    throw new RangeError(`normalQuantile needs a probability in (0, 1), got ${probability}`);
  }
  if (probability < tailBoundary) {
    const q = Math.sqrt(-2 * Math.log(probability));
    return polynomial(tailNumerator, q) / polynomial(tailDenominator, q);
  }
  if (probability > 1 - tailBoundary) {
    const q = Math.sqrt(-2 * Math.log(1 - probability));
    return -polynomial(tailNumerator, q) / polynomial(tailDenominator, q);
  }
  const q = probability - 0.5;
  const r = q * q;
  return (polynomial(centralNumerator, r) * q) / polynomial(centralDenominator, r);
}

/** The two-sided critical value z for a confidence level, e.g. 1.959964 for 0.95. */
export function twoSidedCriticalValue(confidenceLevel: number): number {
  if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
    throw new RangeError(`confidence level must be in (0, 1), got ${confidenceLevel}`);
  }
  return normalQuantile(1 - (1 - confidenceLevel) / 2);
}
