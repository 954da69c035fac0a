import type { LanguageModel } from '../models/language-model.js';
import { withAccounting } from '../models/middleware/accounting-model.js';
import { Budget, type BudgetLimits } from '../models/middleware/budget.js';
import { type ResponseSource, withCache } from '../models/middleware/cached-model.js';
import { type ModelMiddleware, wrapModel } from '../models/middleware/model-middleware.js';
import type { PriceTable } from '../models/middleware/price-table.js';
import { withRateLimit } from '../models/middleware/rate-limited-model.js';
import type { RateLimiter, RateLimitOptions } from '../models/middleware/rate-limiter.js';
import { type RetryLayerOptions, withRetry } from '../models/middleware/retrying-model.js';
import { withTimeout } from '../models/middleware/timeout-model.js';
import type { RunStore } from '../store/run-store.js';

export interface TeacherModelOptions {
  /** The run's store: every attempt is logged there, and its successful calls are the cache. */
  store: RunStore;
  /** Use cached answers (default true). Off still logs every call. */
  cache?: boolean;
  /** Earlier runs' call logs to reuse answers from (open them read-only). */
  extraCaches?: readonly ResponseSource[];
  /** Identity for cache keys instead of the model id (e.g. a local server whose port changes). */
  cacheIdentity?: string;
  prices?: PriceTable;
  /** Limits, counted from what this run has already spent; or a Budget shared with other models. */
  budget?: Budget | BudgetLimits;
  /** A shared limiter, or options for a new one (default: 8 in flight, learning from 429s). */
  rateLimit?: RateLimiter | RateLimitOptions;
  /** Retry policy, or false for none (default: 4 retries with backoff). */
  retry?: RetryLayerOptions | false;
  /** Per-attempt limit in milliseconds (default 120 s). */
  timeoutMs?: number;
}

/**
 * The standard stack for a paid model in a run, outermost first:
 * cache, retry, rate limit, accounting (+ budget), timeout, the model itself.
 * A cache hit costs nothing and waits for nothing; each attempt is logged with its number; a
 * timeout is an attempt that failed and may be retried.
 */
export function wrapTeacherModel(model: LanguageModel, options: TeacherModelOptions): LanguageModel {
  const { store } = options;
  const budget =
    options.budget === undefined || options.budget instanceof Budget
      ? options.budget
      : new Budget(options.budget, spentSoFar(store));
  const layers: ModelMiddleware[] = [];
  if (options.cache !== false) {
    layers.push(
      withCache({
        sources: [store.calls, ...(options.extraCaches ?? [])],
        ...(options.cacheIdentity === undefined ? {} : { modelIdentity: options.cacheIdentity }),
      }),
    );
  }
  if (options.retry !== false) layers.push(withRetry(options.retry ?? {}));
  layers.push(withRateLimit(options.rateLimit ?? {}));
  layers.push(
    withAccounting({
      log: store.calls,
      ...(options.prices ? { prices: options.prices } : {}),
      ...(budget ? { budget } : {}),
    }),
  );
  layers.push(withTimeout(options.timeoutMs ?? 120_000));
  return wrapModel(model, ...layers);
}

/** What earlier sessions of this run spent, so a budget holds across resumes. */
export function spentSoFar(store: RunStore): { cost: number; tokens: number } {
  const totals = store.calls.totals();
  return { cost: totals.cost, tokens: totals.promptTokens + totals.completionTokens };
}
