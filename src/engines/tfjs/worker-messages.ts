import {
  AbortedError,
  ConfigError,
  formatLocation,
  InputError,
  type InputLocation,
  ModelFormatError,
  TrainingError,
} from '../../errors.js';
import type { TrainingProgress, TrainingResult } from '../../training/training-engine.js';
import type { TrainingJobRequest } from './training-job.js';

/** What the training worker receives at start (structured-clone safe). */
export interface WorkerStart {
  request: TrainingJobRequest;
  /** Int32Array over it: index 0 becomes 1 when the caller cancels. */
  stopFlag: SharedArrayBuffer;
}

/** An error as it crosses the thread boundary. */
export interface SerializedError {
  name: string;
  message: string;
  location?: InputLocation;
}

export type WorkerMessage =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'notice'; message: string }
  | { type: 'done'; result: TrainingResult }
  | { type: 'error'; error: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof InputError && error.location) {
    return { name: error.name, message: error.message, location: error.location };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/** Rebuild the typed error on the caller's side, so `instanceof` and `name` work as if thrown there. */
export function deserializeError(error: SerializedError): Error {
  const bare = (location: InputLocation): string => {
    const prefix = `${formatLocation(location)}: `;
    return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  };
  switch (error.name) {
    case 'ModelFormatError':
      return error.location
        ? new ModelFormatError(bare(error.location), error.location)
        : new ModelFormatError(error.message);
    case 'InputError':
      return error.location
        ? new InputError(bare(error.location), error.location)
        : new InputError(error.message);
    case 'ConfigError':
      return new ConfigError(error.message);
    case 'AbortedError':
      return new AbortedError(error.message);
    case 'TrainingError':
      return new TrainingError(error.message);
    default:
      return new TrainingError(`the training worker failed: ${error.name}: ${error.message}`);
  }
}
