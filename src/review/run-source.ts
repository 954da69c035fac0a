import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { ReviewDecision } from '../store/review-log.js';
import { RunStore, runStoreFileName } from '../store/run-store.js';
import { type ItemTrace, readItemTraces } from './item-trace.js';
import { type RunSnapshot, readRunDirectory, type StrategyRun } from './run-directory.js';

/**
 * A run directory as the viewer serves it: snapshots read fresh on each request (a running run
 * moves on), item traces recomputed only when a stage file or the review log changed, and the run
 * store, opened for writing only when the viewer may write.
 */
export class RunSource {
  readonly directory: string;
  readonly readOnly: boolean;
  #store: RunStore | undefined;
  readonly #traces = new Map<string, { key: string; traces: Map<string, ItemTrace> }>();

  constructor(directory: string, options: { readOnly: boolean }) {
    this.directory = directory;
    this.readOnly = options.readOnly;
  }

  /** The store for reading; undefined while the run has none (reading never creates one). */
  store(): RunStore | undefined {
    if (this.#store) return this.#store;
    if (!existsSync(join(this.directory, runStoreFileName))) return undefined;
    this.#store = RunStore.openDirectory(this.directory, { readOnly: this.readOnly });
    return this.#store;
  }

  /** The store for recording decisions, created on the first one (never in read-only mode). */
  writableStore(): RunStore {
    if (this.readOnly) throw new ConfigError('the viewer is read-only');
    this.#store ??= RunStore.openDirectory(this.directory);
    return this.#store;
  }

  decisions(): ReviewDecision[] {
    return this.store()?.reviews.latest() ?? [];
  }

  snapshot(): Promise<RunSnapshot> {
    return readRunDirectory(this.directory);
  }

  /** Every item's trace in one strategy run. */
  async traces(snapshot: RunSnapshot, run: StrategyRun): Promise<Map<string, ItemTrace>> {
    const decisions = this.decisions();
    const key = JSON.stringify([
      run.stages.map((stage) => [stage.name, stage.finishedAt.getTime()]),
      snapshot.items.size,
      decisions.map((decision) => [decision.reviewedAt, decision.originalHash, decision.decision]),
    ]);
    const cached = this.#traces.get(run.key);
    if (cached?.key === key) return cached.traces;
    const traces = await readItemTraces(run, snapshot.items, decisions);
    this.#traces.set(run.key, { key, traces });
    return traces;
  }

  close(): void {
    this.#store?.close();
    this.#store = undefined;
  }
}
