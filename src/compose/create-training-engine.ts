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

export function createTrainingEngine(name: string, options: TrainingEngineOptions = {}): TrainingEngine {
  switch (name) {
    case 'tfjs':
      return new TfjsTrainingEngine(options.threads === undefined ? {} : { threads: options.threads });
    default:
      throw new ConfigError(`unknown training engine "${name}" (known: ${trainingEngineNames.join(', ')})`);
  }
}
