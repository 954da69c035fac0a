import { open, stat } from 'node:fs/promises';
import { z } from 'zod';
import type { TrainingProgress } from '../../training/training-engine.js';

/** One line of LLaMA-Factory's `trainer_log.jsonl`. Lenient: versions add and drop fields. */
const trainerLogLineSchema = z.looseObject({
  current_steps: z.number().int().nonnegative(),
  total_steps: z.number().int().nonnegative(),
  loss: z.number().nullish(),
  eval_loss: z.number().nullish(),
  epoch: z.number().nullish(),
  elapsed_time: z.string().nullish(),
  remaining_time: z.string().nullish(),
});
export type TrainerLogLine = z.infer<typeof trainerLogLineSchema>;

/** "1:02:03" (or "2 days, 1:02:03") to milliseconds; undefined when it is not a duration. */
export function durationMs(text: string | null | undefined): number | undefined {
  const match = /^(?:(\d+) days?, )?(\d+):(\d{2}):(\d{2})$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  const [, days, hours, minutes, seconds] = match.map(Number) as [number, number, number, number, number];
  return ((((days || 0) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

/** A log line as a progress event; lines that are not progress (or not JSON) give undefined. */
export function progressFromLogLine(text: string, startedAt: number): TrainingProgress | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = trainerLogLineSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const line = parsed.data;
  const elapsedMs = durationMs(line.elapsed_time) ?? Date.now() - startedAt;
  const etaMs = durationMs(line.remaining_time);
  const progress: TrainingProgress = {
    epoch: line.epoch ?? 0,
    step: line.current_steps,
    totalSteps: line.total_steps,
    elapsedMs,
    epochEnd: false,
  };
  if (line.loss !== null && line.loss !== undefined) progress.trainLoss = line.loss;
  if (line.eval_loss !== null && line.eval_loss !== undefined) progress.validationLoss = line.eval_loss;
  if (etaMs !== undefined) progress.etaMs = etaMs;
  return progress;
}

/**
 * Reads what a running trainer appends to its log: each `poll` returns the complete lines added
 * since the last one (a half-written last line waits for the next poll). Starts at the file's
 * size when created, so a resumed run reports only its own steps.
 */
export class TrainerLogFollower {
  readonly path: string;
  #offset = 0;
  #pending = '';

  private constructor(path: string, offset: number) {
    this.path = path;
    this.#offset = offset;
  }

  static async at(path: string): Promise<TrainerLogFollower> {
    const size = await stat(path).then(
      (stats) => stats.size,
      () => 0,
    );
    return new TrainerLogFollower(path, size);
  }

  async poll(): Promise<string[]> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(this.path, 'r');
    } catch {
      return [];
    }
    try {
      const { size } = await handle.stat();
      // A fresh run (overwrite_output_dir) removes and restarts the log.
      if (size < this.#offset) {
        this.#offset = 0;
        this.#pending = '';
      }
      if (size === this.#offset) return [];
      const buffer = Buffer.alloc(size - this.#offset);
      await handle.read(buffer, 0, buffer.length, this.#offset);
      this.#offset = size;
      const text = this.#pending + buffer.toString('utf8');
      const lines = text.split('\n');
      this.#pending = lines.pop() ?? '';
      return lines.filter((line) => line.trim().length > 0);
    } finally {
      await handle.close();
    }
  }
}
