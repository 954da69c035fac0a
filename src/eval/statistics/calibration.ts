/** One equal-width confidence bin of a reliability diagram. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean confidence of the predictions in the bin; null for an empty bin. */
  meanConfidence: number | null;
  /** Fraction of the bin's predictions that were correct; null for an empty bin. */
  accuracy: number | null;
}

export interface CalibrationResult {
  /** Expected calibration error: sum over bins of |bin| / n * |accuracy - mean confidence|. */
  ece: number;
  /** The largest |accuracy - mean confidence| over non-empty bins. */
  maximumCalibrationError: number;
  bins: ReliabilityBin[];
  n: number;
}

export interface ConfidenceOutcome {
  /** The probability the model gave to the option it chose. */
  confidence: number;
  correct: boolean;
}

/**
 * Expected calibration error with equal-width bins (Naeini et al. 2015; Guo et al. 2017 use 15
 * bins). Bins are (lower, upper], the first also taking confidence 0, so 0.3 with 10 bins falls in
 * (0.2, 0.3]. Returns null when there is nothing to calibrate.
 */
export function calibration(outcomes: readonly ConfidenceOutcome[], binCount = 10): CalibrationResult | null {
  if (!Number.isInteger(binCount) || binCount < 1)
    throw new RangeError(`binCount must be a positive integer`);
  if (outcomes.length === 0) return null;
  const counts = new Array<number>(binCount).fill(0);
  const confidenceSums = new Array<number>(binCount).fill(0);
  const correctCounts = new Array<number>(binCount).fill(0);
  for (const { confidence, correct } of outcomes) {
    if (!(confidence >= 0 && confidence <= 1))
      throw new RangeError(`confidence must be in [0, 1], got ${confidence}`);
    // Scaling then ceil puts exact bin edges in the lower bin; the epsilon keeps 0.3*10 = 3.0000000000000004 there too.
    const bin = Math.min(binCount - 1, Math.max(0, Math.ceil(confidence * binCount - 1e-9) - 1));
    counts[bin]!++;
    confidenceSums[bin]! += confidence;
    if (correct) correctCounts[bin]!++;
  }
  let ece = 0;
  let maximumCalibrationError = 0;
  const bins: ReliabilityBin[] = counts.map((count, bin) => {
    const lower = bin / binCount;
    const upper = (bin + 1) / binCount;
    if (count === 0) return { lower, upper, count, meanConfidence: null, accuracy: null };
    const meanConfidence = confidenceSums[bin]! / count;
    const accuracy = correctCounts[bin]! / count;
    const gap = Math.abs(accuracy - meanConfidence);
    ece += (count / outcomes.length) * gap;
    maximumCalibrationError = Math.max(maximumCalibrationError, gap);
    return { lower, upper, count, meanConfidence, accuracy };
  });
  return { ece, maximumCalibrationError, bins, n: outcomes.length };
}
