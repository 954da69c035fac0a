import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../src/store/run-store.js';
import type { StageProgress } from '../../src/store/stage-progress.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import { type RunningLlamaServer, startTinyLlamaServer } from '../support/llama-server.js';

const repositoryRoot = resolve(import.meta.dirname, '../..');
const childScript = join(import.meta.dirname, 'fixtures', 'resume-child.ts');
const itemCount = 200;
const concurrency = 4;
const stageName = 'teacher-answers';

interface Child {
  process: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function startChild(runDirectory: string, baseUrl: string): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      RUN_DIRECTORY: runDirectory,
      BASE_URL: baseUrl,
      ITEM_COUNT: String(itemCount),
      CONCURRENCY: String(concurrency),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((done) => child.once('exit', (code, signal) => done({ code, signal, stdout, stderr })));
  return { process: child, exited };
}

async function runToCompletion(runDirectory: string, baseUrl: string): Promise<StageProgress> {
  const result = await startChild(runDirectory, baseUrl).exited;
  if (result.code !== 0)
    throw new Error(`the rerun failed (${result.code ?? result.signal}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as StageProgress;
}

async function waitFor(condition: () => boolean, child: Child, what: string): Promise<void> {
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  while (!condition()) {
    if (exited) throw new Error(`the child exited before ${what}:\n${(await child.exited).stderr}`);
    await new Promise((done) => setTimeout(done, 1));
  }
}

/** Every item is done exactly once, and its stored result is what its logged call answered. */
function checkNothingLost(runDirectory: string): void {
  const store = RunStore.openDirectory(runDirectory, { readOnly: true });
  try {
    const items = store.stages.listItems(stageName);
    expect(items).toHaveLength(itemCount);
    expect(new Set(items.map((item) => item.itemId)).size).toBe(itemCount);
    expect(items.every((item) => item.status === 'done')).toBe(true);
    const totals = store.calls.totals(stageName);
    // No completed call was ever made twice: one successful logged call per item.
    expect(totals.successfulCalls).toBe(itemCount);
    expect(totals.failedCalls).toBe(0);
  } finally {
    store.close();
  }
}

describe('kill -9 at any moment, then rerun', () => {
  let server: RunningLlamaServer;
  let proxy: FaultProxy;
  let runDirectory: string;

  beforeAll(async () => {
    server = await startTinyLlamaServer({ parallel: concurrency });
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(async () => {
    proxy = await startFaultProxy(server.origin);
    runDirectory = await mkdtemp(join(tmpdir(), 'medistill-resume-'));
  });
  afterEach(async () => {
    await proxy.close();
    await rm(runDirectory, { recursive: true, force: true });
  });

  it('a kill while calls are in flight: the server answers exactly 200 calls in total', async () => {
    // Hold every request from a random one on: the server never sees them. Once every worker is
    // waiting on a held request, everything the server answered has been committed; kill then.
    const firstHeld = 1 + Math.floor(Math.random() * (itemCount - concurrency));
    proxy.setPolicy((requestNumber) => (requestNumber >= firstHeld ? { kind: 'hold' } : undefined));
    const child = startChild(runDirectory, proxy.baseUrl);
    await waitFor(
      () => proxy.counts.held === concurrency,
      child,
      `${concurrency} requests were held (from #${firstHeld})`,
    );
    child.process.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    expect(proxy.counts.upstreamSuccesses).toBe(firstHeld - 1);

    proxy.setPolicy(undefined);
    const progress = await runToCompletion(runDirectory, proxy.baseUrl);
    expect(progress.resumed).toBe(firstHeld - 1);
    expect(progress.done).toBe(itemCount);
    expect(proxy.counts.upstreamSuccesses).toBe(itemCount);
    checkNothingLost(runDirectory);
  });

  it('kills at random moments (twice): nothing is lost, no completed call is repeated', async () => {
    for (let kill = 0; kill < 2; kill += 1) {
      const before = proxy.counts.upstreamSuccesses;
      const target = before + 20 + Math.floor(Math.random() * 60);
      const child = startChild(runDirectory, proxy.baseUrl);
      await waitFor(() => proxy.counts.upstreamSuccesses >= target, child, `${target} calls were answered`);
      child.process.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');
    }
    const progress = await runToCompletion(runDirectory, proxy.baseUrl);
    expect(progress.done).toBe(itemCount);
    // Only calls in flight at a kill can be answered by the server and never seen by the run.
    expect(proxy.counts.upstreamSuccesses).toBeGreaterThanOrEqual(itemCount);
    expect(proxy.counts.upstreamSuccesses).toBeLessThanOrEqual(itemCount + 2 * concurrency);
    checkNothingLost(runDirectory);
  });
});
