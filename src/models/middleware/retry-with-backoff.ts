import { AbortedError, ApiCallError } from '../../errors.js';

export interface RetryOptions {
  /** Further attempts after the first (default 4). */
  maxRetries?: number;
  /** Delay before the first retry (default 1 s); doubles (by `backoffFactor`) each time. */
  initialDelayMs?: number;
  backoffFactor?: number;
  /** Ceiling for the exponential delay (default 60 s). */
  maxDelayMs?: number;
  /** Ceiling for a server's retry-after (default 5 min); a longer ask fails the call instead. */
  maxRetryAfterMs?: number;
  /** Source of jitter in [0, 1); replaceable for deterministic tests. */
  random?: () => number;
}

/** What a retry decision sees: the attempt that failed (1-based) and its error. */
export interface RetryNotice {
  attempt: number;
  error: ApiCallError;
  delayMs: number;
}

/**
 * Runs `work` until it succeeds, retrying only errors that say they are retryable
 * (ApiCallError.isRetryable). The wait is the server's retry-after when it gave one, otherwise
 * exponential backoff with "equal jitter" (half fixed, half random) so a crowd of workers that
 * failed together do not come back together. The signal cancels both the work and the wait.
 */
export async function retryWithBackoff<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
  signal?: AbortSignal,
  onRetry?: (notice: RetryNotice) => void,
): Promise<T> {
  const maxRetries = options.maxRetries ?? 4;
  for (let attempt = 1; ; attempt += 1) {
    if (signal?.aborted) throw new AbortedError('the model call was aborted', { cause: signal.reason });
    try {
      return await work(attempt);
    } catch (error) {
      if (!(error instanceof ApiCallError) || !error.isRetryable || attempt > maxRetries) throw error;
      const delayMs = retryDelay(attempt, error.retryAfterMs, options);
      if (delayMs === undefined) throw error;
      onRetry?.({ attempt, error, delayMs });
      await sleep(delayMs, signal);
    }
  }
}

/** The wait before retry number `attempt`, or undefined when the server asks for too long. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: RetryOptions = {},
): number | undefined {
  const random = options.random ?? Math.random;
  if (retryAfterMs !== undefined) {
    if (retryAfterMs > (options.maxRetryAfterMs ?? 300_000)) return undefined;
    // A little jitter on top so workers told the same instant do not stampede.
    return retryAfterMs + random() * Math.min(1000, retryAfterMs * 0.1 + 50);
  }
  const exponential = Math.min(
    options.maxDelayMs ?? 60_000,
    (options.initialDelayMs ?? 1000) * (options.backoffFactor ?? 2) ** (attempt - 1),
  );
  return exponential / 2 + random() * (exponential / 2);
}

/** Resolves after `milliseconds`, or rejects with AbortedError as soon as the signal fires. */
export function sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('aborted while waiting', { cause: signal.reason }));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('aborted while waiting', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
