/** Statistics for evaluation results: intervals, paired tests, corrections, baselines, calibration. */

export {
  type MajorityBaseline,
  majorityBaseline,
  type PositionPriorBaseline,
  positionPriorBaseline,
  referenceLabel,
} from './baselines.js';
export { binomialCdf } from './binomial.js';
export {
  type BootstrapOptions,
  bootstrapAccuracyInterval,
  bootstrapInterval,
  defaultBootstrapResamples,
  defaultBootstrapSeed,
  pairedBootstrapDifference,
  quantileOfSorted,
} from './bootstrap.js';
export {
  type CalibrationResult,
  type ConfidenceOutcome,
  calibration,
  type ReliabilityBin,
} from './calibration.js';
export { type BinaryAgreement, binaryAgreement } from './cohen-kappa.js';
export { holmAdjust } from './holm.js';
export type { Interval } from './interval.js';
export { exactMcNemarTest, type McNemarResult } from './mcnemar.js';
export {
  type MultiSeedAccuracy,
  multiSeedAccuracy,
  perSeedDrawAccuracyMethod,
  perSeedDrawVariance,
  type SeedDesign,
  type SeedOutcomes,
  sharedItemsAccuracyMethod,
  sharedItemsVariance,
  singleSeedAccuracyMethod,
} from './multi-seed-accuracy.js';
export {
  compareMultiSeed,
  type MultiSeedComparison,
  perSeedDrawComparisonMethod,
  sharedItemsComparisonMethod,
  singleSeedComparisonMethod,
  twoLevelBootstrapMean,
} from './multi-seed-comparison.js';
export { normalQuantile, twoSidedCriticalValue } from './normal-quantile.js';
export { comparePaired, type PairedComparison } from './paired-comparison.js';
export { perSubjectTable, type SubjectRow, unknownSubject } from './per-subject.js';
export { type SeedSpread, seedSpread } from './seed-spread.js';
export { createSeededRandom } from './seeded-random.js';
export { exactSignFlipTest } from './sign-flip.js';
export { wilsonInterval, wilsonScoreInterval } from './wilson-interval.js';
