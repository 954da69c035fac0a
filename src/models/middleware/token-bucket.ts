/**
 * A token bucket refilled continuously at `perMinute` per minute, holding at most `perMinute`.
 * It may go into debt (when a call turns out to use more tokens than estimated), which delays the
 * next take until the debt is repaid: the limit holds on average even with bad estimates.
 */
export class TokenBucket {
  readonly perMinute: number;
  #level: number;
  #updatedAt: number;

  constructor(perMinute: number, now: number) {
    if (!(perMinute > 0)) throw new RangeError(`a rate limit must be positive, got ${perMinute}`);
    this.perMinute = perMinute;
    this.#level = perMinute;
    this.#updatedAt = now;
  }

  /**
   * Milliseconds until `amount` can be taken; 0 when it can be now. An amount above the capacity
   * is allowed once the bucket is full, so one huge request cannot wait forever.
   */
  availableIn(amount: number, now: number): number {
    this.#refill(now);
    const needed = Math.min(amount, this.perMinute);
    if (this.#level >= needed) return 0;
    return Math.ceil(((needed - this.#level) * 60_000) / this.perMinute);
  }

  take(amount: number, now: number): void {
    this.#refill(now);
    this.#level -= amount;
  }

  /** Adds (or with a negative amount, removes) tokens after the fact: estimate corrections. */
  adjust(amount: number, now: number): void {
    this.#refill(now);
    this.#level = Math.min(this.perMinute, this.#level + amount);
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#level = Math.min(this.perMinute, this.#level + (elapsed * this.perMinute) / 60_000);
    this.#updatedAt = now;
  }
}
