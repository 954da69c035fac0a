/** Where a stage stands, reported through `onProgress` while it runs and once at the end. */
export interface StageProgress {
  stage: string;
  total: number;
  /** Items complete, including those completed by earlier sessions of the run. */
  done: number;
  /** Items that failed in this session (recorded; retried on the next run). */
  failed: number;
  /** Items skipped because an earlier session completed them. */
  resumed: number;
  /** Calls answered from the cache in this session. */
  cached: number;
  /** Calls (attempts) that went to the server in this session. */
  calls: number;
  callsPerSecond: number;
  promptTokens: number;
  completionTokens: number;
  /** Cost of this session's calls (only models with a price count). */
  cost: number;
  elapsedMs: number;
  /** Estimated time to finish at this session's pace; undefined until an item has finished. */
  etaMs: number | undefined;
}

/** Counters the stage runner keeps; turned into a StageProgress on demand. */
export class StageCounters {
  done = 0;
  failed = 0;
  resumed = 0;
  cached = 0;
  calls = 0;
  promptTokens = 0;
  completionTokens = 0;
  cost = 0;
  readonly #stage: string;
  readonly #total: number;
  readonly #startedAt: number;

  constructor(stage: string, total: number, startedAt: number) {
    this.#stage = stage;
    this.#total = total;
    this.#startedAt = startedAt;
  }

  snapshot(now: number): StageProgress {
    const elapsedMs = Math.max(1, now - this.#startedAt);
    const finishedThisSession = this.done - this.resumed + this.failed;
    const remaining = Math.max(0, this.#total - this.done - this.failed);
    return {
      stage: this.#stage,
      total: this.#total,
      done: this.done,
      failed: this.failed,
      resumed: this.resumed,
      cached: this.cached,
      calls: this.calls,
      callsPerSecond: (this.calls * 1000) / elapsedMs,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      cost: this.cost,
      elapsedMs,
      etaMs:
        finishedThisSession > 0
          ? (remaining * elapsedMs) / finishedThisSession
          : remaining === 0
            ? 0
            : undefined,
    };
  }
}
