import type { ImagingBenchmarkOptions } from '../benchmark/imaging/generate-imaging.js';
import type { TrainingHyperparameters } from '../training/training-engine.js';

/** How big the vision demo is: the imaging benchmark, the vision student and its training budget. */
export interface VisionDemoSettings {
  benchmark: ImagingBenchmarkOptions;
  student: { layers: number; embeddingLength: number; contextLength: number; seed: number };
  training: TrainingHyperparameters;
  strategies: string[];
  seeds: number[];
  /** Teacher rationales drawn per item until one agrees with the reference (CoT-VL). */
  samples: number;
  /** Most tokens the student writes: a rationale and its answer line fit. */
  maxAnswerTokens: number;
  /** Test items whose film, rationale and answer the report shows. */
  shownExamples: number;
}

const training: TrainingHyperparameters = {
  epochs: 40,
  learningRate: 3e-3,
  batchSize: 16,
  validationSplit: 0.05,
  seed: 1,
  warmupRatio: 0.05,
  weightDecay: 0.01,
  gradientClipNorm: 1,
};

/**
 * Sized for 2 cores (full demo under 10 minutes, quick under 3): 32 px films (16 image tokens), a
 * 2-block student of width 64, the whole vision encoder and projector trained with it.
 */
export function visionDemoSettings(quick: boolean): VisionDemoSettings {
  return {
    benchmark: quick
      ? { seed: 1, trainStudiesPerCombination: 4, testStudiesPerCombination: 3 }
      : { seed: 1, trainStudiesPerCombination: 8, testStudiesPerCombination: 6 },
    student: { layers: 2, embeddingLength: 64, contextLength: 256, seed: 1 },
    training: quick ? { ...training, epochs: 30 } : training,
    // CoT-VL last: it is the reference the others are compared with, and the student analysed.
    strategies: ['zero-shot', 'answer-only', 'cot-vl-captions', 'cot-vl'],
    seeds: [1],
    samples: 1,
    maxAnswerTokens: 96,
    shownExamples: 4,
  };
}
