import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { CallRecord } from '../../src/models/call-record.js';
import { RunStore } from '../../src/store/run-store.js';
import { canonicalJson, contentHash } from '../../src/util/canonical-json.js';

function call(overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    requestHash: 'h1',
    modelId: 'openai:gpt-4o-mini',
    attempt: 1,
    requestJson: '{}',
    promptTokens: 10,
    completionTokens: 5,
    latencyMs: 12,
    startedAt: new Date(),
    finishedAt: new Date(),
    ...overrides,
  };
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[1,{"x":null,"z":1}]},"b":1}',
    );
    expect(contentHash({ a: 1, b: 2 })).toBe(contentHash({ b: 2, a: 1 }));
  });

  it('refuses values JSON cannot say faithfully', () => {
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(/cannot encode/);
    expect(() => canonicalJson({ a: new Uint8Array(2) })).toThrow(/binary/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });
});

describe('run store', () => {
  let directory: string;
  let store: RunStore;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'medistill-store-'));
    store = RunStore.openDirectory(join(directory, 'run'));
  });
  afterEach(async () => {
    store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('uses WAL and records schema version 3', () => {
    store.close();
    const database = new BetterSqlite3(join(directory, 'run', 'run.sqlite'));
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.pragma('user_version', { simple: true })).toBe(3);
    database.close();
    store = RunStore.openDirectory(join(directory, 'run'));
  });

  it.skipIf(process.platform === 'win32')(
    'keeps the run directory and database for their owner only',
    async () => {
      expect((await stat(join(directory, 'run'))).mode & 0o777).toBe(0o700);
      for (const file of ['run.sqlite', 'run.sqlite-wal', 'run.sqlite-shm'])
        expect((await stat(join(directory, 'run', file))).mode & 0o777, file).toBe(0o600);
    },
  );

  it('migrates a version-1 store to add the egress log, and reads a version-1 store read-only', async () => {
    await store.calls.record(call({ responseJson: '{"v":1}' }));
    store.close();
    const database = new BetterSqlite3(join(directory, 'run', 'run.sqlite'));
    database.exec('DROP TABLE egress');
    database.pragma('user_version = 1');
    database.close();
    const old = RunStore.openDirectory(join(directory, 'run'), { readOnly: true });
    expect(old.egress.list()).toEqual([]);
    old.close();
    store = RunStore.openDirectory(join(directory, 'run'));
    expect(store.calls.findResponse('h1')).toBe('{"v":1}');
    await store.egress.record({
      startedAt: new Date('2026-01-01T00:00:00Z'),
      host: 'localhost',
      address: '127.0.0.1',
      port: 8080,
      local: true,
      stage: 'explain',
      itemId: 'q1',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      bytesSent: 120,
      bytesReceived: 300,
      durationMs: 5,
    });
    expect(store.egress.byHost()).toEqual([
      {
        host: 'localhost',
        address: '127.0.0.1',
        port: 8080,
        local: true,
        requests: 1,
        failed: 0,
        bytesSent: 120,
        bytesReceived: 300,
        first: '2026-01-01T00:00:00.000Z',
        last: '2026-01-01T00:00:00.000Z',
        stages: ['explain'],
      },
    ]);
  });

  it('finds only successful calls as cache entries, newest first', async () => {
    await store.calls.record(call({ errorName: 'ApiCallError', errorMessage: '500', httpStatus: 500 }));
    expect(store.calls.findResponse('h1')).toBeUndefined();
    await store.calls.record(call({ attempt: 2, responseJson: '{"v":1}' }));
    await store.calls.record(call({ responseJson: '{"v":2}' }));
    expect(store.calls.findResponse('h1')).toBe('{"v":2}');
    expect(
      store.calls.attempts('h1').map((entry) => [entry.attempt, entry.succeeded, entry.httpStatus]),
    ).toEqual([
      [1, false, 500],
      [2, true, undefined],
      [1, true, undefined],
    ]);
  });

  it('totals tokens and cost, per run and per stage', async () => {
    await store.calls.record(call({ stage: 'a', responseJson: '{}', cost: 0.5 }));
    await store.calls.record(call({ stage: 'b', responseJson: '{}', cost: 0.25, promptTokens: 1 }));
    await store.calls.record(call({ stage: 'b', errorName: 'E', promptTokens: 0, completionTokens: 0 }));
    expect(store.calls.totals()).toEqual({
      calls: 3,
      successfulCalls: 2,
      failedCalls: 1,
      promptTokens: 11,
      completionTokens: 10,
      cost: 0.75,
    });
    expect(store.calls.totals('b').cost).toBe(0.25);
  });

  it('keeps a success when a later failure of the same item is recorded', async () => {
    store.stages.startStage('screen', 2);
    await store.stages.failItem('screen', 'q1', { name: 'ApiCallError', message: 'boom' });
    await store.stages.completeItem('screen', 'q1', '{"ok":true}');
    await store.stages.failItem('screen', 'q1', { name: 'ApiCallError', message: 'late' });
    const item = store.stages.getItem('screen', 'q1');
    expect(item).toMatchObject({ status: 'done', resultJson: '{"ok":true}' });
    expect(item?.attempts).toBe(2);
    await store.stages.failItem('screen', 'q2', { name: 'InputError', message: 'bad' });
    expect(store.stages.finishStage('screen', 'completed')).toMatchObject({
      status: 'completed',
      done: 1,
      failed: 1,
      total: 2,
    });
  });

  it('opens an earlier run read-only as an extra cache', async () => {
    await store.calls.record(call({ responseJson: '{"v":1}' }));
    const earlier = RunStore.openDirectory(join(directory, 'run'), { readOnly: true });
    expect(earlier.calls.findResponse('h1')).toBe('{"v":1}');
    await expect(earlier.calls.record(call())).rejects.toThrow(/readonly/i);
    earlier.close();
  });

  it('refuses a store written by a newer schema, and a missing one read-only', () => {
    store.close();
    const database = new BetterSqlite3(join(directory, 'run', 'run.sqlite'));
    database.pragma('user_version = 99');
    database.close();
    expect(() => RunStore.openDirectory(join(directory, 'run'))).toThrow(/newer medistill/);
    expect(() => RunStore.openDirectory(join(directory, 'none'), { readOnly: true })).toThrow(ConfigError);
    store = RunStore.openDirectory(join(directory, 'other'));
  });
});
