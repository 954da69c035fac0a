import type { TrainingHyperparameters } from './training-engine.js';

/** What a training gets when its config says nothing: small-student settings measured on the demo. */
export const defaultHyperparameters: TrainingHyperparameters = {
  epochs: 3,
  learningRate: 3e-3,
  batchSize: 16,
  validationSplit: 0.1,
  seed: 1,
  warmupRatio: 0.05,
  weightDecay: 0.01,
  gradientClipNorm: 1,
};
