import { availableParallelism } from 'node:os';
import { TfjsTrainingEngine } from '../engines/tfjs/tfjs-training-engine.js';
import { ConfigError } from '../errors.js';
import type { TrainingEngine } from '../training/training-engine.js';

/** The engines a run or `medistill train` can name. GPU engines join this list behind the same interface. */
export const trainingEngineNames = ['tfjs'] as const;
export type TrainingEngineName = (typeof trainingEngineNames)[number];

/** Engine options every engine may honour. */
export interface TrainingEngineOptions {
  /** Threads for one training's compute (default: the cores available). */
  threads?: number | undefined;
}

/**
 * Threads for each of `parallel` trainings running at once: the cores shared out, at least one.
 * Native BLAS threads that outnumber the cores spin against each other and run slower, not faster.
 */
export function threadsPerTraining(parallel: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, parallel)));
}

export function createTrainingEngine(name: string, options: TrainingEngineOptions = {}): TrainingEngine {
  switch (name) {
    case 'tfjs':
      return new TfjsTrainingEngine(options.threads === undefined ? {} : { threads: options.threads });
    default:
      throw new ConfigError(`unknown training engine "${name}" (known: ${trainingEngineNames.join(', ')})`);
  }
}
