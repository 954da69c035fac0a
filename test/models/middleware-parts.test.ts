import { describe, expect, it, vi } from 'vitest';
import { BudgetExceededError, ConfigError } from '../../src/errors.js';
import { Budget } from '../../src/models/middleware/budget.js';
import { costOf, parsePriceTable, priceFor } from '../../src/models/middleware/price-table.js';
import { RateLimiter } from '../../src/models/middleware/rate-limiter.js';
import { hashRequest } from '../../src/models/middleware/request-hash.js';
import { retryDelay } from '../../src/models/middleware/retry-with-backoff.js';
import { TokenBucket } from '../../src/models/middleware/token-bucket.js';
import { parseRetryAfter, redactSecrets } from '../../src/models/openai-compatible-errors.js';

describe('request hash (the cache key)', () => {
  const base = { messages: [{ role: 'user' as const, content: 'hi' }], temperature: 0, maxTokens: 5 };

  it('does not depend on the order options were written in', () => {
    const reordered = { maxTokens: 5, temperature: 0, messages: [{ content: 'hi', role: 'user' as const }] };
    expect(hashRequest('m', reordered).hash).toBe(hashRequest('m', base).hash);
    const schemaA = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'number' } } };
    const schemaB = { properties: { b: { type: 'number' }, a: { type: 'string' } }, type: 'object' };
    expect(hashRequest('m', { ...base, jsonSchema: schemaA }).hash).toBe(
      hashRequest('m', { ...base, jsonSchema: schemaB }).hash,
    );
  });

  it('treats default spellings alike: n 1, empty stop, logprobs false', () => {
    expect(hashRequest('m', { ...base, n: 1, stop: [], logprobs: false }).hash).toBe(
      hashRequest('m', base).hash,
    );
  });

  it('changes with the model, every parameter, the schema and image bytes', () => {
    const hashes = new Set([
      hashRequest('m', base).hash,
      hashRequest('other', base).hash,
      hashRequest('m', { ...base, temperature: 0.5 }).hash,
      hashRequest('m', { ...base, seed: 1 }).hash,
      hashRequest('m', { ...base, n: 2 }).hash,
      hashRequest('m', { ...base, jsonSchema: { type: 'object' } }).hash,
      hashRequest('m', {
        ...base,
        messages: [
          { role: 'user', content: [{ type: 'image', mediaType: 'image/png', data: new Uint8Array([1]) }] },
        ],
      }).hash,
      hashRequest('m', {
        ...base,
        messages: [
          { role: 'user', content: [{ type: 'image', mediaType: 'image/png', data: new Uint8Array([2]) }] },
        ],
      }).hash,
    ]);
    expect(hashes.size).toBe(8);
  });

  it('stores images as digests, not bytes', () => {
    const data = new Uint8Array(1000).fill(65);
    const { json } = hashRequest('m', {
      messages: [{ role: 'user', content: [{ type: 'image', mediaType: 'image/png', data }] }],
    });
    expect(json).toContain('"sha256":"');
    expect(json.length).toBeLessThan(400);
  });
});

describe('price table', () => {
  const table = parsePriceTable({
    '*': { inputPerMillion: 0, outputPerMillion: 0 },
    'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
    'openai-compatible:*#Qwen/*': { inputPerMillion: 1, outputPerMillion: 2 },
  });

  it('matches the bare name or the id, most specific pattern first', () => {
    expect(priceFor(table, 'openai:gpt-4o-mini')?.inputPerMillion).toBe(0.15);
    expect(priceFor(table, 'openai-compatible:http://h/v1#Qwen/Qwen3-235B-A22B')?.outputPerMillion).toBe(2);
    expect(priceFor(table, 'ollama:llama3')?.inputPerMillion).toBe(0);
    expect(priceFor({}, 'openai:gpt-4o-mini')).toBeUndefined();
  });

  it('computes cost from usage', () => {
    expect(
      costOf(table, 'openai:gpt-4o-mini', { promptTokens: 1_000_000, completionTokens: 500_000 }),
    ).toBeCloseTo(0.45);
  });

  it('refuses a malformed table naming the entry', () => {
    expect(() =>
      parsePriceTable({ 'gpt-4o': { inputPerMillion: -1, outputPerMillion: 1 } }, 'prices.yaml'),
    ).toThrow(/prices\.yaml: gpt-4o\.inputPerMillion/);
    expect(() => parsePriceTable({ 'gpt-4o': { input: 1 } })).toThrow(ConfigError);
  });
});

describe('budget', () => {
  it('throws BudgetExceededError once a limit is reached, counting earlier sessions', () => {
    const budget = new Budget({ maxTokens: 100 }, { cost: 0, tokens: 60 });
    budget.assertAvailable();
    budget.add(40, undefined);
    expect(() => budget.assertAvailable()).toThrow(BudgetExceededError);
    const costly = new Budget({ maxCost: 1 });
    costly.add(10, 0.99);
    costly.assertAvailable();
    costly.add(10, 0.02);
    expect(() => costly.assertAvailable()).toThrow(/max cost 1/);
  });
});

describe('retry delays and retry-after', () => {
  it('backs off exponentially with jitter, capped', () => {
    const low = { random: () => 0, initialDelayMs: 100, maxDelayMs: 1000 };
    const high = { random: () => 0.999999, initialDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelay(attempt, undefined, low))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect(retryDelay(3, undefined, high)).toBeCloseTo(400, 0);
  });

  it('honours retry-after, and gives up when it is longer than allowed', () => {
    expect(retryDelay(1, 2000, { random: () => 0 })).toBe(2000);
    expect(retryDelay(1, 10 * 60_000, { random: () => 0 })).toBeUndefined();
  });

  it('parses retry-after-ms, seconds and HTTP dates', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('token bucket', () => {
  it('refills continuously and reports the wait', () => {
    const bucket = new TokenBucket(60, 0);
    expect(bucket.availableIn(60, 0)).toBe(0);
    bucket.take(60, 0);
    expect(bucket.availableIn(1, 0)).toBe(1000);
    expect(bucket.availableIn(1, 1000)).toBe(0);
    bucket.take(1, 1000);
    bucket.adjust(-30, 1000);
    expect(bucket.availableIn(1, 1000)).toBe(31_000);
  });

  it('lets a request larger than the capacity through once full', () => {
    const bucket = new TokenBucket(10, 0);
    expect(bucket.availableIn(50, 0)).toBe(0);
  });
});

describe('secret redaction', () => {
  it('removes the key, bearer tokens and sk- keys from text', () => {
    const text = redactSecrets(
      'key abc123xyz, Authorization: Bearer abc123xyz, Incorrect API key provided: sk-proj-****abcd',
      ['abc123xyz'],
    );
    expect(text).not.toContain('abc123xyz');
    expect(text).not.toContain('sk-proj');
  });
});

describe('rate limiter', () => {
  it('spaces requests to the per-minute limit, in arrival order', async () => {
    vi.useFakeTimers();
    try {
      const limiter = new RateLimiter({ requestsPerMinute: 2, maxConcurrency: 10 });
      const granted: number[] = [];
      const all = [0, 1, 2, 3].map((index) =>
        limiter.acquire(1).then((permit) => {
          granted.push(index);
          permit.release({});
        }),
      );
      await vi.advanceTimersByTimeAsync(0);
      expect(granted).toEqual([0, 1]);
      await vi.advanceTimersByTimeAsync(29_000);
      expect(granted).toEqual([0, 1]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(granted).toEqual([0, 1, 2]);
      await vi.advanceTimersByTimeAsync(30_000);
      expect(granted).toEqual([0, 1, 2, 3]);
      await Promise.all(all);
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds calls back until the token budget per minute allows them', async () => {
    vi.useFakeTimers();
    try {
      const limiter = new RateLimiter({ tokensPerMinute: 1000 });
      const first = await limiter.acquire(800);
      let second = false;
      void limiter.acquire(800).then(() => {
        second = true;
      });
      // The call used only 200 tokens: the correction frees the rest sooner.
      first.release({ usedTokens: 200 });
      await vi.advanceTimersByTimeAsync(0);
      expect(second).toBe(true);
      let third = false;
      void limiter.acquire(800).then(() => {
        third = true;
      });
      await vi.advanceTimersByTimeAsync(30_000);
      expect(third).toBe(false);
      await vi.advanceTimersByTimeAsync(20_000);
      expect(third).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('halves concurrency on a 429 and grows it back by one per window of successes', async () => {
    const limiter = new RateLimiter({ maxConcurrency: 4 });
    (await limiter.acquire(1)).release({ rateLimitedForMs: 0 });
    expect(limiter.state.concurrency).toBe(2);
    for (let index = 0; index < 2; index += 1) (await limiter.acquire(1)).release({});
    expect(limiter.state.concurrency).toBe(3);
    (await limiter.acquire(1)).release({ failed: true });
    expect(limiter.state.concurrency).toBe(3);
    for (let index = 0; index < 3; index += 1) (await limiter.acquire(1)).release({});
    expect(limiter.state.concurrency).toBe(4);
  });

  it('gives up waiting when the signal fires', async () => {
    const limiter = new RateLimiter({ maxConcurrency: 1 });
    const held = await limiter.acquire(1);
    const controller = new AbortController();
    const waiting = limiter.acquire(1, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow(/aborted/);
    expect(limiter.state.queued).toBe(0);
    held.release({});
  });
});
