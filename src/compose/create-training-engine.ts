import { TfjsTrainingEngine } from '../engines/tfjs/tfjs-training-engine.js';
import { ConfigError } from '../errors.js';
import type { TrainingEngine } from '../training/training-engine.js';

/** The engines a run or `medistill train` can name. GPU engines join this list behind the same interface. */
export const trainingEngineNames = ['tfjs'] as const;
export type TrainingEngineName = (typeof trainingEngineNames)[number];

export function createTrainingEngine(name: string): TrainingEngine {
  switch (name) {
    case 'tfjs':
      return new TfjsTrainingEngine();
    default:
      throw new ConfigError(`unknown training engine "${name}" (known: ${trainingEngineNames.join(', ')})`);
  }
}
