import type { BenchmarkOptions } from '../../benchmark/generate.js';
import type { TrainingHyperparameters } from '../../training/training-engine.js';

/** The published model the bench distils into, by its `medistill model fetch` name. */
export const REAL_STUDENT = 'smollm2-135m-instruct';

/** How big `bench real-student` is: the benchmark draw per seed, the seeds, and the LoRA budget. */
export interface RealStudentSettings {
  benchmark: BenchmarkOptions;
  seeds: number[];
  training: TrainingHyperparameters;
  /** MedThink stage 2 continues stage 1's adapter: same rank and alpha, a shorter gentler schedule. */
  stage2Training: TrainingHyperparameters;
  /** Room for an explanation or corrective chain (55 to 67 answer tokens on average here). */
  maxAnswerTokens: number;
}

const training: TrainingHyperparameters = {
  epochs: 2,
  learningRate: 1e-3,
  // Batch 8 of the longest examples (corrective chains, 164 tokens on average) peaked at 4.0 GB RSS,
  // near the 4 GiB wasm heap; 4 halves the activations at about the same cost per token.
  batchSize: 4,
  validationSplit: 0.05,
  seed: 1,
  loraRank: 8,
  loraAlpha: 16,
  warmupRatio: 0.1,
  weightDecay: 0,
  gradientClipNorm: 1,
  // The longest example of these drafts is 172 tokens in SmolLM2's tokenizer (prompt included).
  maxLength: 192,
};

/**
 * Sized from measured per-step cost (`bench/real-student-steps.ts`; README, "A real student"):
 * the full bench projects to about 1,900 CPU-seconds of training and generation, about 16 minutes
 * on 2 idle cores with two runs side by side, inside the 30 the issue allows; `quick` is a smoke
 * run small enough for a test.
 */
export function realStudentSettings(quick: boolean): RealStudentSettings {
  if (quick)
    return {
      benchmark: { conditionCount: 4, trainVignettesPerPair: 1, testVignettesPerPair: 1 },
      seeds: [1],
      training: { ...training, epochs: 1, validationSplit: 0 },
      stage2Training: { ...training, epochs: 1, validationSplit: 0, learningRate: 5e-4, warmupRatio: 0 },
      maxAnswerTokens: 48,
    };
  return {
    benchmark: { conditionCount: 12, trainVignettesPerPair: 2, testVignettesPerPair: 2 },
    seeds: [1, 2, 3],
    training,
    stage2Training: { ...training, epochs: 1, learningRate: 5e-4, warmupRatio: 0 },
    maxAnswerTokens: 96,
  };
}
