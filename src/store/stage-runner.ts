import type { z } from 'zod';
import { AbortedError, ApiCallError, BudgetExceededError, ConfigError, MedistillError } from '../errors.js';
import type { LanguageModel } from '../models/language-model.js';
import { type CallEvent, withCallContext } from '../models/middleware/call-context.js';
import type { RunStore } from './run-store.js';
import { StageCounters, type StageProgress } from './stage-progress.js';
import type { StageRecord } from './stage-records.js';

export interface RunModelStageOptions<I, T> {
  store: RunStore;
  stageName: string;
  items: readonly I[];
  /** An item's stable id; defaults to its `id` field. */
  itemId?: (item: I) => string;
  /** The model handed to `call`, seen through a per-item context so the call log names the item. */
  model: LanguageModel;
  /** The work for one item. Its result must be JSON-serialisable: it is stored to resume from. */
  call: (item: I, model: LanguageModel, context: { signal: AbortSignal | undefined }) => Promise<T>;
  /** Items in flight at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: StageProgress) => void;
  /** Least time between progress reports (default 200 ms); the final report always comes. */
  progressIntervalMs?: number;
  signal?: AbortSignal;
  /** Checks results read back from the store on resume. */
  resultSchema?: z.ZodType<T>;
  /** Give up the stage after this many failures in a row (default 25): something is broken. */
  maxConsecutiveFailures?: number;
}

export interface StageFailure {
  itemId: string;
  errorName: string;
  message: string;
}

export interface StageOutcome<T> {
  stage: StageRecord;
  /** Every completed item's result by id, earlier sessions' included, in item order. */
  results: Map<string, T>;
  failures: StageFailure[];
  progress: StageProgress;
}

/**
 * Runs one model-calling stage over items, resumably. Items an earlier session completed are
 * skipped; each result is committed as soon as it lands; a failed item is recorded and counted
 * (and tried again on the next run), never fatal. The stage stops early, after letting calls in
 * flight land, on a spent budget, on errors no item can get past (bad key, unknown model, bad
 * configuration) or on a long run of failures; then the error is thrown and a rerun resumes.
 */
export async function runModelStage<I, T>(options: RunModelStageOptions<I, T>): Promise<StageOutcome<T>> {
  const { store, stageName, items, signal } = options;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const ids = items.map(options.itemId ?? defaultItemId);
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new ConfigError(`stage "${stageName}": item id "${id}" appears twice`);
    seen.add(id);
  }
  store.stages.startStage(stageName, items.length);
  const counters = new StageCounters(stageName, items.length, Date.now());
  const completed = new Map<string, T>();
  for (const record of store.stages.listItems(stageName)) {
    if (record.status === 'done' && seen.has(record.itemId)) {
      completed.set(
        record.itemId,
        readResult<T>(record.resultJson, options.resultSchema, stageName, record.itemId),
      );
    }
  }
  counters.done = counters.resumed = completed.size;
  const failures: StageFailure[] = [];
  const pending = ids.map((id, index) => ({ id, index })).filter(({ id }) => !completed.has(id));

  let lastReport = 0;
  const report = (force: boolean) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < (options.progressIntervalMs ?? 200))) return;
    lastReport = now;
    options.onProgress(counters.snapshot(now));
  };
  const onEvent = (event: CallEvent) => {
    if (event.type === 'cache-hit') {
      counters.cached += 1;
      return;
    }
    counters.calls += 1;
    counters.promptTokens += event.usage.promptTokens;
    counters.completionTokens += event.usage.completionTokens;
    counters.cost += event.cost ?? 0;
  };

  let stopError: Error | undefined;
  let consecutiveFailures = 0;
  let next = 0;
  const worker = async () => {
    while (stopError === undefined && !signal?.aborted) {
      const entry = pending[next];
      next += 1;
      if (!entry) return;
      const item = items[entry.index] as I;
      const model = withCallContext(options.model, { stage: stageName, itemId: entry.id, onEvent });
      let result: T;
      try {
        result = await options.call(item, model, { signal });
      } catch (error) {
        if (signal?.aborted) return;
        const failure = error instanceof Error ? error : new Error(String(error));
        if (stopsTheStage(failure)) {
          stopError ??= failure;
          return;
        }
        await store.stages.failItem(stageName, entry.id, failure);
        failures.push({ itemId: entry.id, errorName: failure.name, message: failure.message });
        counters.failed += 1;
        consecutiveFailures += 1;
        if (consecutiveFailures >= (options.maxConsecutiveFailures ?? 25)) {
          stopError ??= new MedistillError(
            `stage "${stageName}" stopped after ${consecutiveFailures} failures in a row; the last: ${failure.message}`,
          );
        }
        report(false);
        continue;
      }
      await store.stages.completeItem(stageName, entry.id, JSON.stringify(result) ?? 'null');
      completed.set(entry.id, result);
      counters.done += 1;
      consecutiveFailures = 0;
      report(false);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, pending.length)) }, worker));

  const status =
    stopError === undefined && !signal?.aborted
      ? 'completed'
      : stopError === undefined || stopError instanceof BudgetExceededError
        ? 'stopped'
        : 'failed';
  const stage = store.stages.finishStage(stageName, status);
  report(true);
  if (signal?.aborted) throw new AbortedError(`stage "${stageName}" was aborted`, { cause: signal.reason });
  if (stopError) throw stopError;
  const results = new Map<string, T>();
  for (const id of ids) if (completed.has(id)) results.set(id, completed.get(id) as T);
  return { stage, results, failures, progress: counters.snapshot(Date.now()) };
}

/** Errors that no other item can get past: stop the stage instead of failing every item. */
function stopsTheStage(error: Error): boolean {
  if (error instanceof BudgetExceededError || error instanceof ConfigError) return true;
  return (
    error instanceof ApiCallError && (error.status === 401 || error.status === 403 || error.status === 404)
  );
}

function defaultItemId(item: unknown): string {
  if (typeof item === 'object' && item !== null && 'id' in item && typeof item.id === 'string')
    return item.id;
  throw new ConfigError('items have no string "id" field: pass itemId to runModelStage');
}

function readResult<T>(
  json: string | undefined,
  schema: z.ZodType<T> | undefined,
  stage: string,
  itemId: string,
): T {
  const value: unknown = json === undefined ? null : JSON.parse(json);
  if (!schema) return value as T;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    `stage "${stage}", item "${itemId}": the stored result no longer matches the result schema (${parsed.error.issues[0]?.message}); use a new stage name or run directory`,
  );
}
