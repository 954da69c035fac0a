import { z } from 'zod';
import type { TrainingProgress } from '../../training/training-engine.js';

/**
 * The JSON lines the Python worker prints on stdout. Lenient: a newer worker may add fields, and
 * anything else on stdout (library chatter) is not an event and is skipped.
 */
const finite = z.number().finite();

export const workerEventSchema = z.discriminatedUnion('event', [
  z.looseObject({
    event: z.literal('ready'),
    total_steps: z.number().int().nonnegative(),
    epochs: finite,
    train_examples: z.number().int().nonnegative().optional(),
    validation_examples: z.number().int().nonnegative().optional(),
    resumed_from: z.string().nullish(),
    device: z.string().optional(),
  }),
  z.looseObject({
    event: z.literal('packages'),
    missing: z.array(z.string()),
    versions: z.record(z.string(), z.string()).optional(),
  }),
  z.looseObject({
    event: z.literal('progress'),
    epoch: finite,
    step: z.number().int().nonnegative(),
    total_steps: z.number().int().nonnegative(),
    loss: finite.optional(),
    learning_rate: finite.optional(),
    tokens_per_second: finite.optional(),
  }),
  z.looseObject({
    event: z.literal('epoch'),
    epoch: z.number().int().nonnegative(),
    step: z.number().int().nonnegative(),
    total_steps: z.number().int().nonnegative().optional(),
    train_loss: finite.nullish(),
    validation_loss: finite.nullish(),
  }),
  z.looseObject({ event: z.literal('checkpoint'), step: z.number().int().nonnegative(), path: z.string() }),
  z.looseObject({
    event: z.literal('done'),
    output: z.string(),
    adapter: z.boolean(),
    best_validation_loss: finite.nullish(),
    stopped_early: z.boolean().optional(),
  }),
  z.looseObject({
    event: z.literal('error'),
    message: z.string(),
    kind: z.enum(['input', 'config', 'training']).optional(),
    file: z.string().optional(),
    line: z.number().int().optional(),
    field: z.string().optional(),
  }),
]);
export type WorkerEvent = z.infer<typeof workerEventSchema>;

/** One stdout line as a worker event, or undefined for anything that is not one. */
export function parseWorkerLine(line: string): WorkerEvent | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = workerEventSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A worker event as the seam's TrainingProgress: `epoch` lines are the epoch-end events (epoch 0
 * is the baseline before training), step lines are in-epoch progress. Epochs count from 1, as the
 * embedded engine's do: the Trainer's fractional epoch 0.5 is in epoch 1.
 */
export function progressFromEvent(
  event: WorkerEvent,
  startedAt: number,
  totalSteps: number,
  now = Date.now(),
): TrainingProgress | undefined {
  const elapsedMs = now - startedAt;
  if (event.event === 'progress') {
    const total = event.total_steps || totalSteps;
    const etaMs =
      event.step > 0 && total > event.step ? (elapsedMs / event.step) * (total - event.step) : undefined;
    return {
      epoch: Math.max(1, Math.ceil(event.epoch - 1e-9)),
      step: event.step,
      totalSteps: total,
      ...(event.loss === undefined ? {} : { trainLoss: event.loss }),
      ...(event.tokens_per_second === undefined ? {} : { tokensPerSecond: event.tokens_per_second }),
      elapsedMs,
      ...(etaMs === undefined ? {} : { etaMs }),
      epochEnd: false,
    };
  }
  if (event.event === 'epoch')
    return {
      epoch: event.epoch,
      step: event.step,
      totalSteps: event.total_steps ?? totalSteps,
      ...(event.train_loss == null ? {} : { trainLoss: event.train_loss }),
      ...(event.validation_loss == null ? {} : { validationLoss: event.validation_loss }),
      elapsedMs,
      epochEnd: true,
    };
  return undefined;
}
