import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { wrapTeacherModel } from '../../src/compose/teacher-model-stack.js';
import { AbortedError, BudgetExceededError, ConfigError } from '../../src/errors.js';
import type { LanguageModel } from '../../src/models/language-model.js';
import { createOpenAICompatibleModel } from '../../src/models/openai-compatible-model.js';
import { RunStore } from '../../src/store/run-store.js';
import type { StageProgress } from '../../src/store/stage-progress.js';
import { runModelStage } from '../../src/store/stage-runner.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { type RunningLlamaServer, startTinyLlamaServer } from '../support/llama-server.js';

interface Question {
  id: string;
  text: string;
}
const questions = (count: number, prefix = 'q'): Question[] =>
  Array.from({ length: count }, (_, index) => ({
    id: `${prefix}${index}`,
    text: `Question ${prefix}${index}: fever and cough?`,
  }));

const ask = async (item: Question, model: LanguageModel) => {
  const response = await model.generate({
    messages: [{ role: 'user', content: item.text }],
    maxTokens: 4,
    temperature: 0,
  });
  return { answer: response.choices[0]?.text ?? '' };
};

describe('stage runner against llama-server', () => {
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
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medistill-stage-'));
    store = RunStore.openDirectory(directory);
    proxy.setPolicy(undefined);
  });
  afterEach(async () => {
    store.close();
    await rm(directory, { recursive: true, force: true });
  });

  const teacher = (options: Parameters<typeof wrapTeacherModel>[1] = { store }) =>
    wrapTeacherModel(createOpenAICompatibleModel({ baseUrl: proxy.baseUrl, model: 'tiny' }), {
      retry: { initialDelayMs: 5, maxRetries: 2 },
      ...options,
    });

  it('runs every item, commits results and reports progress', async () => {
    const reports: StageProgress[] = [];
    const before = proxy.counts.upstreamSuccesses;
    const outcome = await runModelStage({
      store,
      stageName: 'screen',
      items: questions(12),
      model: teacher(),
      call: ask,
      concurrency: 4,
      onProgress: (progress) => reports.push(progress),
      progressIntervalMs: 0,
    });
    expect(outcome.results.size).toBe(12);
    expect([...outcome.results.keys()]).toEqual(questions(12).map((item) => item.id));
    expect(proxy.counts.upstreamSuccesses - before).toBe(12);
    expect(outcome.stage).toMatchObject({ status: 'completed', done: 12, failed: 0, total: 12 });
    const last = reports.at(-1);
    expect(last).toMatchObject({ done: 12, failed: 0, total: 12, calls: 12, cached: 0, etaMs: 0 });
    expect(last?.promptTokens).toBeGreaterThan(0);
    expect(last?.completionTokens).toBeGreaterThan(0);
    expect(last?.callsPerSecond).toBeGreaterThan(0);
    expect(reports.map((report) => report.done)).toEqual(
      [...reports.map((report) => report.done)].sort((a, b) => a - b),
    );
    expect(store.calls.totals('screen').successfulCalls).toBe(12);
  });

  it('resumes: a rerun skips completed items and calls nothing', async () => {
    const items = questions(8);
    const first = await runModelStage({ store, stageName: 's', items, model: teacher(), call: ask });
    const before = proxy.counts.requests;
    const second = await runModelStage({
      store,
      stageName: 's',
      items,
      model: teacher(),
      call: ask,
      resultSchema: z.object({ answer: z.string() }),
    });
    expect(proxy.counts.requests).toBe(before);
    expect(second.progress).toMatchObject({ resumed: 8, done: 8, calls: 0 });
    expect(second.results).toEqual(first.results);
  });

  it('answers repeated requests from the cache: a new stage with the same calls costs nothing', async () => {
    const items = questions(6);
    await runModelStage({ store, stageName: 'first', items, model: teacher(), call: ask });
    const before = proxy.counts.requests;
    const again = await runModelStage({ store, stageName: 'second', items, model: teacher(), call: ask });
    expect(proxy.counts.requests).toBe(before);
    expect(again.progress).toMatchObject({ cached: 6, calls: 0, done: 6 });
    // An earlier run's store serves as a cache for a new run too.
    const otherDirectory = await mkdtemp(join(tmpdir(), 'medistill-stage-other-'));
    const otherStore = RunStore.openDirectory(otherDirectory);
    try {
      const reused = await runModelStage({
        store: otherStore,
        stageName: 'first',
        items,
        model: teacher({ store: otherStore, extraCaches: [store.calls] }),
        call: ask,
      });
      expect(proxy.counts.requests).toBe(before);
      expect(reused.progress.cached).toBe(6);
    } finally {
      otherStore.close();
      await rm(otherDirectory, { recursive: true, force: true });
    }
  });

  it('records failures as data, keeps going, and retries them on the next run', async () => {
    proxy.setPolicy((_, body) => (body.includes('q3:') ? { kind: 'status', status: 500 } : undefined));
    const items = questions(6);
    const outcome = await runModelStage({ store, stageName: 'f', items, model: teacher(), call: ask });
    expect(outcome.results.size).toBe(5);
    expect(outcome.failures).toEqual([
      { itemId: 'q3', errorName: 'ApiCallError', message: expect.stringContaining('500') },
    ]);
    expect(store.stages.getItem('f', 'q3')).toMatchObject({ status: 'failed', errorName: 'ApiCallError' });
    expect(outcome.stage).toMatchObject({ status: 'completed', done: 5, failed: 1 });
    proxy.setPolicy(undefined);
    const before = proxy.counts.requests;
    const rerun = await runModelStage({ store, stageName: 'f', items, model: teacher(), call: ask });
    expect(proxy.counts.requests - before).toBe(1);
    expect(rerun.results.size).toBe(6);
    expect(rerun.stage).toMatchObject({ done: 6, failed: 0 });
  });

  it('stops on a spent budget and resumes when it is raised, paying for each call once', async () => {
    const items = questions(20, 'b');
    const before = proxy.counts.upstreamSuccesses;
    // A call here uses roughly 20 tokens: the budget runs out part-way.
    const stopped = runModelStage({
      store,
      stageName: 'budget',
      items,
      model: teacher({ store, budget: { maxTokens: 150 } }),
      call: ask,
      concurrency: 2,
    });
    await expect(stopped).rejects.toBeInstanceOf(BudgetExceededError);
    const stage = store.stages.getStage('budget');
    expect(stage?.status).toBe('stopped');
    expect(stage?.done).toBeGreaterThan(0);
    expect(stage?.done).toBeLessThan(20);
    const spent = store.calls.totals();
    expect(spent.promptTokens + spent.completionTokens).toBeGreaterThanOrEqual(150);
    // Same limit again: nothing more is spent.
    await expect(
      runModelStage({
        store,
        stageName: 'budget',
        items,
        model: teacher({ store, budget: { maxTokens: 150 } }),
        call: ask,
      }),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    const resumed = await runModelStage({
      store,
      stageName: 'budget',
      items,
      model: teacher({ store, budget: { maxTokens: 100_000 } }),
      call: ask,
    });
    expect(resumed.results.size).toBe(20);
    expect(proxy.counts.upstreamSuccesses - before).toBe(20);
    expect(store.calls.totals().successfulCalls).toBe(20);
  });

  it('refuses a cost budget for a model with no price', () => {
    expect(() => teacher({ store, budget: { maxCost: 1 } })).toThrow(ConfigError);
  });

  it('stops the whole stage on a bad key instead of failing every item', async () => {
    proxy.setPolicy(() => ({ kind: 'status', status: 401 }));
    await expect(
      runModelStage({
        store,
        stageName: 'auth',
        items: questions(10),
        model: teacher(),
        call: ask,
        concurrency: 1,
      }),
    ).rejects.toThrow(/rejected the API key/);
    expect(proxy.counts.faults.status).toBeGreaterThan(0);
    expect(store.stages.getStage('auth')?.status).toBe('failed');
    expect(store.stages.listItems('auth')).toHaveLength(0);
  });

  it('honours an abort signal and leaves completed items committed', async () => {
    const controller = new AbortController();
    const items = questions(30, 'a');
    proxy.setPolicy(() => ({ kind: 'delay', ms: 20 }));
    const run = runModelStage({
      store,
      stageName: 'abort',
      items,
      model: teacher(),
      call: ask,
      concurrency: 2,
      progressIntervalMs: 0,
      onProgress: (progress) => {
        if (progress.done >= 5) controller.abort();
      },
      signal: controller.signal,
    });
    await expect(run).rejects.toBeInstanceOf(AbortedError);
    const done = store.stages.countItems('abort').done;
    expect(done).toBeGreaterThanOrEqual(5);
    expect(done).toBeLessThan(30);
    expect(store.stages.countItems('abort').failed).toBe(0);
  });

  it('refuses duplicate item ids', async () => {
    await expect(
      runModelStage({
        store,
        stageName: 'dup',
        items: [...questions(2), ...questions(1)],
        model: teacher(),
        call: ask,
      }),
    ).rejects.toThrow(/"q0" appears twice/);
  });
});
