import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { AbortedError, TrainingError } from '../../errors.js';
import type { TrainingProgress } from '../../training/training-engine.js';
import {
  type CheckpointProgress,
  checkpointFileName,
  latestCheckpoint,
  loadCheckpoint,
  pruneCheckpoints,
  saveCheckpoint,
} from './checkpoint.js';
import type { LlamaTrainer, TensorSnapshot } from './llama-trainer.js';
import { epochBatches, type TrainingExample } from './training-example.js';

export interface TrainingLoopOptions {
  trainer: LlamaTrainer;
  train: readonly TrainingExample[];
  validation: readonly TrainingExample[];
  epochs: number;
  batchSize: number;
  seed: number;
  /**
   * Stop after this many epochs without a better validation loss, and end with the weights of
   * the best epoch. Absent: run every epoch and keep the last weights.
   */
  earlyStoppingPatience?: number;
  /** Per-epoch checkpoints go here; without it the run cannot be resumed. */
  checkpointDirectory?: string;
  resume?: boolean;
  /** Identifies settings and data; a checkpoint with another fingerprint is not resumed. */
  fingerprint: string;
  onProgress?: (progress: TrainingProgress) => void;
  /** Polled before every step; true stops the run with an AbortedError. */
  shouldStop?: () => boolean;
}

export interface TrainingLoopResult {
  history: TrainingProgress[];
  bestValidationLoss?: number;
  bestEpoch?: number;
  stoppedEarly: boolean;
}

/** Number of optimizer steps a run of `epochs` takes (the schedule needs it up front). */
export const totalSteps = (trainCount: number, batchSize: number, epochs: number): number =>
  Math.ceil(trainCount / batchSize) * epochs;

/**
 * Epochs of shuffled padded batches with validation before training (epoch 0) and after every
 * epoch, early stopping on validation loss, a checkpoint per epoch and resume from the latest.
 */
export async function runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingLoopResult> {
  const { trainer, train, validation, batchSize, seed, checkpointDirectory } = options;
  const hasValidation = validation.length > 0;
  const keepBest = hasValidation && options.earlyStoppingPatience !== undefined;
  const validationLoss = (): number | undefined =>
    hasValidation ? trainer.meanLoss(validation, batchSize) : undefined;
  const allSteps = totalSteps(train.length, batchSize, options.epochs);
  let progress: CheckpointProgress = {
    epoch: 0,
    epochsWithoutImprovement: 0,
    elapsedMs: 0,
    history: [],
    fingerprint: options.fingerprint,
  };
  // The trainer starts at the base weights, which are the best ones until validation improves.
  let best: TensorSnapshot | undefined = keepBest ? trainer.trainableSnapshot() : undefined;

  const resumed =
    options.resume && checkpointDirectory ? await latestCheckpoint(checkpointDirectory) : undefined;
  if (resumed && checkpointDirectory) {
    const loaded = await loadCheckpoint(resumed.path);
    if (loaded.progress.fingerprint !== options.fingerprint) {
      throw new TrainingError(
        `${resumed.path} was made with other settings or data; use a fresh checkpoint directory or the original settings`,
      );
    }
    trainer.restoreState(loaded.state);
    progress = loaded.progress;
    if (keepBest && progress.bestEpoch === progress.epoch) best = loaded.state.parameters;
    else if (keepBest && progress.bestEpoch !== undefined && progress.bestEpoch > 0) {
      best = (await loadCheckpoint(join(checkpointDirectory, checkpointFileName(progress.bestEpoch)))).state
        .parameters;
    }
  } else {
    const baseline = validationLoss();
    const event: TrainingProgress = { epoch: 0, step: 0, totalSteps: allSteps, elapsedMs: 0, epochEnd: true };
    if (baseline !== undefined) {
      event.validationLoss = baseline;
      progress.bestValidationLoss = baseline;
      progress.bestEpoch = 0;
    }
    progress.history.push(event);
    options.onProgress?.(event);
  }

  const started = performance.now() - progress.elapsedMs;
  const firstStep = trainer.step;
  let stoppedEarly = false;
  let tokens = 0;
  let stepTime = 0;
  for (let epoch = progress.epoch + 1; epoch <= options.epochs && !stoppedEarly; epoch++) {
    let lossSum = 0;
    let lossTokens = 0;
    for (const batch of epochBatches(train, batchSize, seed, epoch)) {
      // Yielding lets an AbortSignal fire when the loop runs on the caller's thread.
      await yieldToEventLoop();
      if (options.shouldStop?.()) throw new AbortedError('training was cancelled');
      if (batch.lossRows.length === 0) continue;
      const stepStart = performance.now();
      const result = trainer.trainStep(batch);
      stepTime += performance.now() - stepStart;
      tokens += result.tokens;
      lossSum += result.loss * result.lossTokens;
      lossTokens += result.lossTokens;
      const stepsDone = trainer.step - firstStep;
      options.onProgress?.({
        epoch,
        step: trainer.step,
        totalSteps: allSteps,
        trainLoss: result.loss,
        tokensPerSecond: tokens / (stepTime / 1000),
        elapsedMs: performance.now() - started,
        etaMs: ((allSteps - trainer.step) * stepTime) / stepsDone,
        epochEnd: false,
      });
    }
    const epochValidation = validationLoss();
    const summary: TrainingProgress = {
      epoch,
      step: trainer.step,
      totalSteps: allSteps,
      trainLoss: lossTokens > 0 ? lossSum / lossTokens : Number.NaN,
      tokensPerSecond: stepTime > 0 ? tokens / (stepTime / 1000) : 0,
      elapsedMs: performance.now() - started,
      epochEnd: true,
    };
    progress = { ...progress, epoch, elapsedMs: summary.elapsedMs, history: [...progress.history, summary] };
    if (epochValidation !== undefined) {
      summary.validationLoss = epochValidation;
      if (progress.bestValidationLoss === undefined || epochValidation < progress.bestValidationLoss) {
        progress.bestValidationLoss = epochValidation;
        progress.bestEpoch = epoch;
        progress.epochsWithoutImprovement = 0;
        if (keepBest) best = trainer.trainableSnapshot();
      } else {
        progress.epochsWithoutImprovement += 1;
      }
    }
    if (checkpointDirectory) {
      await saveCheckpoint(checkpointDirectory, trainer.exportState(), progress);
      await pruneCheckpoints(checkpointDirectory, [
        epoch,
        ...(progress.bestEpoch ? [progress.bestEpoch] : []),
      ]);
    }
    options.onProgress?.(summary);
    const patience = options.earlyStoppingPatience;
    if (
      patience !== undefined &&
      hasValidation &&
      progress.epochsWithoutImprovement >= patience &&
      epoch < options.epochs
    ) {
      stoppedEarly = true;
    }
  }
  if (keepBest && best && progress.bestEpoch !== progress.epoch) trainer.restoreState({ parameters: best });
  return {
    history: progress.history,
    ...(progress.bestValidationLoss !== undefined ? { bestValidationLoss: progress.bestValidationLoss } : {}),
    ...(progress.bestEpoch !== undefined ? { bestEpoch: progress.bestEpoch } : {}),
    stoppedEarly,
  };
}
