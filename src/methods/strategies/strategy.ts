import type { TrainingProgress } from '../../training/training-engine.js';
import type { Evaluation } from '../stages/evaluate.js';
import type { StrategyContext } from '../strategy-context.js';

/** What a strategy produced for one seed: its evaluations (the last is the final student), counts and training curves. */
export interface StrategyOutcome {
  strategy: string;
  seed: number;
  evaluations: Evaluation[];
  /** Named counts for the report: training examples, items dropped by screening, stage-2 error items, teacher failures. */
  counts: Record<string, number>;
  training: { stage: string; history: TrainingProgress[] }[];
  /** Ids of items the teacher failed on, so the report can say which. */
  failedItems: string[];
}

export interface Strategy {
  name: string;
  description: string;
  /**
   * Trains again from its own earlier stage's student (MedThink's stage 2 from stage 1), so with a
   * LoRA student it continues that stage's adapter, which not every engine can do.
   */
  continuesTraining?: boolean;
  run(context: StrategyContext): Promise<StrategyOutcome>;
}
