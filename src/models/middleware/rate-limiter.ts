import { AbortedError, ConfigError } from '../../errors.js';
import { TokenBucket } from './token-bucket.js';

export interface RateLimitOptions {
  /** Most calls in flight at once (default 8). */
  maxConcurrency?: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /**
   * Learn from 429s (default true): pause every caller for the server's retry-after, halve the
   * concurrency, then grow it back by one after each window of successes (AIMD, as TCP does).
   */
  adaptive?: boolean;
  /** Clock in milliseconds; replaceable for tests. */
  now?: () => number;
}

/** A granted slot; release it exactly once with what happened. */
export interface RateLimitPermit {
  release(outcome: { usedTokens?: number; rateLimitedForMs?: number | null; failed?: boolean }): void;
}

interface Waiter {
  tokens: number;
  grant: (permit: RateLimitPermit) => void;
  fail: (error: Error) => void;
}

/** A snapshot for progress displays and tests. */
export interface RateLimiterState {
  concurrency: number;
  inFlight: number;
  queued: number;
  pausedForMs: number;
}

/**
 * Admission control for calls to one server: a concurrency cap plus request and token buckets, in
 * FIFO order. One limiter is shared by every caller of a server, so a 429 seen by one slows all.
 */
export class RateLimiter {
  readonly #options: RateLimitOptions;
  readonly #now: () => number;
  readonly #requests: TokenBucket | undefined;
  readonly #tokens: TokenBucket | undefined;
  readonly #queue: Waiter[] = [];
  readonly #maxConcurrency: number;
  #concurrency: number;
  #inFlight = 0;
  #pausedUntil = 0;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #successesSinceChange = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RateLimitOptions = {}) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#maxConcurrency = options.maxConcurrency ?? 8;
    if (!Number.isInteger(this.#maxConcurrency) || this.#maxConcurrency < 1) {
      throw new ConfigError(`maxConcurrency must be a positive integer, got ${this.#maxConcurrency}`);
    }
    this.#concurrency = this.#maxConcurrency;
    const now = this.#now();
    if (options.requestsPerMinute !== undefined)
      this.#requests = new TokenBucket(options.requestsPerMinute, now);
    if (options.tokensPerMinute !== undefined) this.#tokens = new TokenBucket(options.tokensPerMinute, now);
  }

  get state(): RateLimiterState {
    return {
      concurrency: this.#concurrency,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      pausedForMs: Math.max(0, this.#pausedUntil - this.#now()),
    };
  }

  /** Waits for a slot for a call expected to use about `estimatedTokens`. */
  acquire(estimatedTokens: number, signal?: AbortSignal): Promise<RateLimitPermit> {
    if (signal?.aborted)
      return Promise.reject(new AbortedError('aborted while waiting for a rate-limit slot'));
    return new Promise<RateLimitPermit>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(new AbortedError('aborted while waiting for a rate-limit slot', { cause: signal?.reason }));
      };
      const waiter: Waiter = {
        tokens: estimatedTokens,
        grant: (permit) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(permit);
        },
        fail: reject,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    for (;;) {
      const head = this.#queue[0];
      if (!head || this.#inFlight >= this.#concurrency) return;
      const now = this.#now();
      const wait = Math.max(
        this.#pausedUntil - now,
        this.#requests?.availableIn(1, now) ?? 0,
        this.#tokens?.availableIn(head.tokens, now) ?? 0,
      );
      if (wait > 0) {
        this.#timer = setTimeout(() => this.#pump(), wait);
        return;
      }
      this.#queue.shift();
      this.#requests?.take(1, now);
      this.#tokens?.take(head.tokens, now);
      this.#inFlight += 1;
      head.grant(this.#permitFor(head.tokens));
    }
  }

  #permitFor(estimatedTokens: number): RateLimitPermit {
    let released = false;
    return {
      release: (outcome) => {
        if (released) return;
        released = true;
        this.#inFlight -= 1;
        const now = this.#now();
        if (outcome.usedTokens !== undefined) this.#tokens?.adjust(estimatedTokens - outcome.usedTokens, now);
        if (outcome.rateLimitedForMs !== undefined) this.#onRateLimited(outcome.rateLimitedForMs, now);
        else if (!outcome.failed) this.#onSuccess();
        this.#pump();
      },
    };
  }

  #onRateLimited(retryAfterMs: number | null, now: number): void {
    if (this.#options.adaptive === false) return;
    const pauseMs = retryAfterMs ?? 1000;
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pauseMs);
    // One decrease per pause window: a burst of 429s from calls sent together is one signal.
    if (now - this.#lastDecreaseAt >= pauseMs) {
      this.#concurrency = Math.max(1, Math.floor(this.#concurrency / 2));
      this.#lastDecreaseAt = now;
      this.#successesSinceChange = 0;
    }
  }

  #onSuccess(): void {
    if (this.#concurrency >= this.#maxConcurrency) return;
    this.#successesSinceChange += 1;
    if (this.#successesSinceChange >= this.#concurrency) {
      this.#concurrency += 1;
      this.#successesSinceChange = 0;
    }
  }
}
