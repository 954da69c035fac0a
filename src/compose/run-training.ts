import type {
  TrainingHyperparameters,
  TrainingProgress,
  TrainingResult,
} from '../training/training-engine.js';
import { createTrainingEngine } from './create-training-engine.js';

export interface RunTrainingOptions {
  /** A training engine name (see `trainingEngineNames`). */
  engine: string;
  baseModel: string;
  dataPath: string;
  outputPath: string;
  /** Per-epoch checkpoints (default: `<outputPath>.checkpoints`). */
  checkpointDir?: string;
  hyperparameters: TrainingHyperparameters;
  /** Continue from the latest checkpoint when one exists (default true). */
  resume?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: TrainingProgress) => void;
}

/** What `medistill train` does: pick the engine by name and run one training job on it. */
export function runTraining(options: RunTrainingOptions): Promise<TrainingResult> {
  const engine = createTrainingEngine(options.engine);
  return engine.train(
    {
      baseModel: options.baseModel,
      dataPath: options.dataPath,
      outputPath: options.outputPath,
      checkpointDir: options.checkpointDir ?? `${options.outputPath}.checkpoints`,
      hyperparameters: options.hyperparameters,
    },
    {
      resume: options.resume ?? true,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
  );
}
