import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wrapTeacherModel } from '../../src/compose/teacher-model-stack.js';
import { ApiCallError } from '../../src/errors.js';
import type { GenerateRequest } from '../../src/models/language-model.js';
import { RateLimiter } from '../../src/models/middleware/rate-limiter.js';
import { hashRequest } from '../../src/models/middleware/request-hash.js';
import type { RetryNotice } from '../../src/models/middleware/retry-with-backoff.js';
import { createOpenAICompatibleModel } from '../../src/models/openai-compatible-model.js';
import { RunStore } from '../../src/store/run-store.js';
import { type Fault, type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { type RunningLlamaServer, startTinyLlamaServer } from '../support/llama-server.js';

const request = (text: string): GenerateRequest => ({
  messages: [{ role: 'user', content: text }],
  maxTokens: 6,
  temperature: 0,
});

describe('teacher calls through a fault-injecting proxy', () => {
  let server: RunningLlamaServer;
  let proxy: FaultProxy;
  let directory: string;
  let store: RunStore;

  beforeAll(async () => {
    server = await startTinyLlamaServer();
    proxy = await startFaultProxy(server.origin);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });
  afterEach(async () => {
    proxy.setPolicy(undefined);
    store?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  async function teacher(
    options: { timeoutMs?: number; maxRetries?: number; apiKey?: string; limiter?: RateLimiter } = {},
  ) {
    directory = await mkdtemp(join(tmpdir(), 'medistill-faults-'));
    store = RunStore.openDirectory(directory);
    const retries: RetryNotice[] = [];
    const base = createOpenAICompatibleModel({
      baseUrl: proxy.baseUrl,
      model: 'tiny',
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    });
    const model = wrapTeacherModel(base, {
      store,
      retry: {
        maxRetries: options.maxRetries ?? 3,
        initialDelayMs: 10,
        onRetry: (notice) => retries.push(notice),
      },
      timeoutMs: options.timeoutMs ?? 10_000,
      ...(options.limiter ? { rateLimit: options.limiter } : {}),
    });
    return { model, base, retries };
  }

  const retriedFaults: Array<[string, Fault, number | undefined]> = [
    ['429 with retry-after-ms', { kind: 'rate-limit', retryAfterMs: 40 }, 429],
    ['429 with retry-after seconds', { kind: 'rate-limit', retryAfterSeconds: 0 }, 429],
    ['500', { kind: 'status', status: 500 }, 500],
    ['503', { kind: 'status', status: 503 }, 503],
    ['408', { kind: 'status', status: 408 }, 408],
    ['a body cut short', { kind: 'truncate' }, undefined],
    ['malformed JSON', { kind: 'malformed' }, undefined],
    [
      'JSON that is not a completion',
      { kind: 'malformed', body: '{"object": "list", "data": []}' },
      undefined,
    ],
    ['a reset connection', { kind: 'reset' }, undefined],
  ];
  for (const [name, fault, status] of retriedFaults) {
    it(`retries ${name} and logs both attempts`, async () => {
      const { model, retries } = await teacher();
      proxy.plan(fault);
      const text = `retry test: ${name}`;
      const response = await model.generate(request(text));
      expect(response.choices).toHaveLength(1);
      const attempts = store.calls.attempts(hashRequest(model.id, request(text)).hash);
      expect(attempts.map((call) => [call.attempt, call.succeeded])).toEqual([
        [1, false],
        [2, true],
      ]);
      expect(attempts[0]?.httpStatus).toBe(status);
      expect(attempts[0]?.errorName).toBe('ApiCallError');
      expect(retries).toHaveLength(1);
      if (fault.kind === 'rate-limit' && fault.retryAfterMs)
        expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(fault.retryAfterMs);
    });
  }

  it('gives up an attempt that is too slow, and the slow request never reaches the server', async () => {
    const { model } = await teacher({ timeoutMs: 300 });
    proxy.plan({ kind: 'delay', ms: 1500 });
    const forwardedBefore = proxy.counts.forwarded;
    const text = 'timeout test';
    const response = await model.generate(request(text));
    expect(response.choices).toHaveLength(1);
    const attempts = store.calls.attempts(hashRequest(model.id, request(text)).hash);
    expect(attempts[0]?.errorMessage).toMatch(/no answer within 300 ms/);
    expect(attempts[1]?.succeeded).toBe(true);
    await new Promise((done) => setTimeout(done, 1600));
    expect(proxy.counts.forwarded - forwardedBefore).toBe(1);
  });

  for (const status of [400, 401, 403, 404]) {
    it(`does not retry ${status}`, async () => {
      const { model, retries } = await teacher();
      proxy.plan({ kind: 'status', status });
      const text = `no retry ${status}`;
      const error = await model.generate(request(text)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiCallError);
      expect((error as ApiCallError).status).toBe(status);
      expect(retries).toHaveLength(0);
      expect(store.calls.attempts(hashRequest(model.id, request(text)).hash)).toHaveLength(1);
    });
  }

  it('stops retrying after maxRetries and rethrows the last error', async () => {
    const { model } = await teacher({ maxRetries: 2 });
    proxy.setPolicy(() => ({ kind: 'status', status: 502 }));
    const text = 'always failing';
    const error = await model.generate(request(text)).catch((caught: unknown) => caught);
    expect((error as ApiCallError).status).toBe(502);
    expect(
      store.calls.attempts(hashRequest(model.id, request(text)).hash).map((call) => call.attempt),
    ).toEqual([1, 2, 3]);
  });

  it('backs every caller off after a 429: the shared limiter halves its concurrency and pauses', async () => {
    const limiter = new RateLimiter({ maxConcurrency: 4 });
    const { model } = await teacher({ limiter });
    proxy.plan({ kind: 'rate-limit', retryAfterMs: 200 });
    const first = model.generate(request('429 learner'));
    // Look at the limiter after the 429 has landed and before the retry can succeed.
    for (let waited = 0; limiter.state.pausedForMs === 0 && waited < 5000; waited += 5) {
      await new Promise((done) => setTimeout(done, 5));
    }
    expect(limiter.state.pausedForMs).toBeGreaterThan(0);
    expect(limiter.state.concurrency).toBe(2);
    await first;
    expect(proxy.counts.faults['rate-limit']).toBeGreaterThan(0);
  });

  it('never has more calls in flight than the concurrency limit', async () => {
    const limiter = new RateLimiter({ maxConcurrency: 2, adaptive: false });
    const { model } = await teacher({ limiter });
    const local = await startFaultProxy(server.origin);
    try {
      local.setPolicy(() => ({ kind: 'delay', ms: 30 }));
      const limited = wrapTeacherModel(
        createOpenAICompatibleModel({ baseUrl: local.baseUrl, model: 'tiny' }),
        {
          store,
          rateLimit: limiter,
        },
      );
      await Promise.all(
        Array.from({ length: 10 }, (_, index) => limited.generate(request(`in flight ${index}`))),
      );
      expect(local.counts.forwarded).toBe(10);
      expect(local.counts.maxInFlight).toBeLessThanOrEqual(2);
      // Without the limiter the same burst overlaps: the check above can fail.
      const unlimited = createOpenAICompatibleModel({ baseUrl: local.baseUrl, model: 'tiny' });
      const before = local.counts.maxInFlight;
      await Promise.all(
        Array.from({ length: 10 }, (_, index) => unlimited.generate(request(`burst ${index}`))),
      );
      expect(local.counts.maxInFlight).toBeGreaterThan(before);
    } finally {
      await local.close();
    }
    expect(model.id).toContain('tiny');
  });

  it('never writes the API key into the run store', async () => {
    const secret = 'sk-test-very-secret-0123456789';
    const { model } = await teacher({ apiKey: secret });
    proxy.plan({ kind: 'status', status: 500, message: `echoing Bearer ${secret}` });
    await model.generate(request('secret test'));
    store.close();
    for (const suffix of ['', '-wal', '-shm']) {
      const bytes = await readFile(join(directory, `run.sqlite${suffix}`)).catch(() => Buffer.alloc(0));
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes('very-secret')).toBe(false);
    }
  });
});
