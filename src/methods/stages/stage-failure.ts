import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { StageFailedError } from '../../errors.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import type { StrategyContext } from '../strategy-context.js';

/** One item a stage could not use, with its cause counted across items and the reply that failed. */
export interface ItemFailure {
  itemId: string;
  error: string;
  /** The same text for every item that failed the same way (the error message when there is none). */
  reason?: string;
  /** The teacher's last reply, when it gave one that could not be read. */
  reply?: string;
}

/**
 * A stage goes on with at least this share of its items usable. Below it (e.g. 235 of 240 teacher
 * replies unreadable) the teacher cannot do the strategy's job: a training set of the few replies
 * it could read would be small and skewed to the items that happened to parse, and its accuracy
 * would be reported as if it were the strategy's. One in ten is far below any teacher that works
 * (failures there are a few percent) and far above one that does not (all or nearly all).
 */
export const minimumUsableShare = 0.1;

/** The fewest usable items a stage over `total` items needs to go on (at least one). */
export function minimumUsable(total: number): number {
  return Math.max(1, Math.ceil(total * minimumUsableShare));
}

const shorten = (text: string, length: number): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
};

/** Failures grouped by reason, commonest first. */
export function commonestReasons(
  failures: readonly ItemFailure[],
): { reason: string; items: ItemFailure[] }[] {
  const groups = new Map<string, ItemFailure[]>();
  for (const failure of failures) {
    const reason = failure.reason ?? failure.error;
    groups.set(reason, [...(groups.get(reason) ?? []), failure]);
  }
  return [...groups]
    .map(([reason, items]) => ({ reason, items }))
    .sort((a, b) => b.items.length - a.items.length);
}

/** Writes every failure of a stage as JSON lines beside its results; returns the path. */
export async function writeFailures(
  context: StrategyContext,
  stage: string,
  failures: readonly ItemFailure[],
): Promise<string> {
  const path = join(context.directory, `${stage}.failures.jsonl`);
  await mkdir(context.directory, { recursive: true });
  await writeFileAtomically(path, failures.map((failure) => `${JSON.stringify(failure)}\n`).join(''));
  return path;
}

/**
 * Throws when a teacher stage left too few usable items to go on: one message naming the stage,
 * the counts, the commonest reason with one example reply, and the file holding the full list.
 */
export async function checkStageCanGoOn(
  context: StrategyContext,
  stage: string,
  total: number,
  failures: readonly ItemFailure[],
): Promise<void> {
  if (failures.length > 0) await writeFailures(context, stage, failures);
  const usable = total - failures.length;
  const needed = minimumUsable(total);
  if (total === 0 || usable >= needed) return;
  const path = join(context.directory, `${stage}.failures.jsonl`);
  const [commonest] = commonestReasons(failures);
  const example = commonest?.items.find((failure) => failure.reply !== undefined) ?? commonest?.items[0];
  const exampleText =
    example?.reply !== undefined
      ? `; e.g. item ${example.itemId} got the reply "${shorten(example.reply, 160)}"`
      : example
        ? `; e.g. item ${example.itemId}: ${shorten(example.error, 160)}`
        : '';
  throw new StageFailedError(
    `seed ${context.seed}: stage "${stage}" cannot go on: ${usable} of ${total} items usable, ` +
      `${failures.length} failed (it needs at least ${needed}, ${minimumUsableShare * 100}%). ` +
      `Commonest failure (${commonest?.items.length ?? 0} items): ${shorten(commonest?.reason ?? 'unknown', 200)}` +
      `${exampleText}. Every failed item: ${path}`,
    path,
  );
}

/** The error for a training stage left with nothing to train on, with where its items went. */
export function noExamplesError(
  context: StrategyContext,
  stage: string,
  counts: Readonly<Record<string, number>>,
): StageFailedError {
  const lost = Object.entries(counts)
    .filter(([, value]) => value > 0)
    .map(([name, value]) => `${name.replace(/([A-Z])/g, ' $1').toLowerCase()}: ${value}`);
  return new StageFailedError(
    `seed ${context.seed}: stage "${stage}" has no examples to train on, from ${context.train.length} training items` +
      (lost.length > 0 ? ` (${lost.join(', ')})` : ''),
  );
}
