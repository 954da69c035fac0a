import type { Item } from '../datasets/item.js';
import type { LanguageModel } from '../models/language-model.js';
import type {
  TrainingEngine,
  TrainingHyperparameters,
  TrainingProgress,
} from '../training/training-engine.js';
import type { ReviewSet } from './run/review-set.js';
import type { StageCache } from './run/stage-cache.js';
import type { TrainingCache } from './run/training-cache.js';
import type { Teacher } from './teacher/teacher.js';

/** What a running strategy reports; the CLI turns these into progress lines. */
export type RunEvent =
  | { type: 'stage-start'; strategy: string; seed: number; stage: string; total?: number }
  | {
      type: 'stage-progress';
      strategy: string;
      seed: number;
      stage: string;
      done: number;
      failed: number;
      total: number;
    }
  | { type: 'stage-end'; strategy: string; seed: number; stage: string; summary: string }
  | { type: 'training'; strategy: string; seed: number; stage: string; progress: TrainingProgress };

export interface StudentSettings {
  /** The starting student model (GGUF for the embedded engine). */
  baseModel: string;
  engine: TrainingEngine;
  hyperparameters: TrainingHyperparameters;
  /** Hyperparameters for MedThink's stage-2 retraining (default: as stage 1). */
  stage2Hyperparameters?: TrainingHyperparameters;
  /** Most tokens the student may generate when answering. */
  maxAnswerTokens: number;
  /** Loads a trained student for probing and evaluation. */
  load(path: string): Promise<LanguageModel>;
}

/** Everything a strategy needs: the data, the teacher, the student, and where to keep its work. */
export interface StrategyContext {
  strategy: string;
  seed: number;
  directory: string;
  stages: StageCache;
  train: Item[];
  test: Item[];
  teacher: Teacher;
  student: StudentSettings;
  concurrency: number;
  /** Samples per item for k-sample screening and self-consistency. */
  samples: number;
  /** Rounds for MedThink-iterative. */
  rounds: number;
  /** Mix the stage-1 examples of items the student already gets right into stage 2, so it does not forget them. */
  stage2Replay: boolean;
  emit(event: RunEvent): void;
  signal?: AbortSignal;
  /** Shares identical trainings between strategies of a run (absent: every stage trains its own). */
  trainingCache?: TrainingCache;
  /** Reviewer decisions on teacher texts, applied where teacher replies become training data. */
  reviews?: ReviewSet;
}
