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
  /** An mmproj GGUF to train with the model (a vision-language student). */
  visionProjector?: string;
  /** Where the trained mmproj goes (default: beside `outputPath`). */
  projectorOutputPath?: string;
  /** Continue from the latest checkpoint when one exists (default true). */
  resume?: boolean;
  signal?: AbortSignal;
  /** Threads for the engine's compute (default: the cores available). */
  threads?: number;
  onProgress?: (progress: TrainingProgress) => void;
  /** One-line notices about how the training runs (e.g. a slower fallback). */
  onNotice?: (message: string) => void;
}

/** What `medistill train` does: pick the engine by name and run one training job on it. */
export function runTraining(options: RunTrainingOptions): Promise<TrainingResult> {
  const engine = createTrainingEngine(options.engine, { threads: options.threads });
  return engine.train(
    {
      baseModel: options.baseModel,
      dataPath: options.dataPath,
      outputPath: options.outputPath,
      checkpointDir: options.checkpointDir ?? `${options.outputPath}.checkpoints`,
      hyperparameters: options.hyperparameters,
      ...(options.visionProjector ? { visionProjector: options.visionProjector } : {}),
      ...(options.projectorOutputPath ? { projectorOutputPath: options.projectorOutputPath } : {}),
    },
    {
      resume: options.resume ?? true,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    },
  );
}
