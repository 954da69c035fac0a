import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { RunLockHolder } from '../../src/errors.js';
import { readRunLock, runLockFileName } from '../../src/store/run-lock.js';
import { runMedistill } from '../support/cli.js';
import { repoRoot, temporaryDirectory } from '../support/paths.js';

const childScript = join(import.meta.dirname, 'fixtures', 'lock-child.ts');
const cliEntry = join(repoRoot, 'test', 'support', 'cli-entry.ts');
const started: ChildProcess[] = [];

interface Spawned {
  child: ChildProcess;
  output: { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output, exited };
}

/** Polls (bounded) until the process has taken the lock. */
async function lockTakenBy(spawned: Spawned, directory: string): Promise<RunLockHolder> {
  const path = join(directory, runLockFileName);
  for (let waited = 0; waited < 120_000; waited += 25) {
    const holder = existsSync(path) ? readRunLock(path) : undefined;
    if (holder && holder.pid === spawned.child.pid) return holder;
    if (spawned.child.exitCode !== null) break;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`pid ${spawned.child.pid} never took the lock:\n${spawned.output.stderr}`);
}

/** Polls (bounded) until the process has written `text` to stderr. */
async function outputContains(spawned: Spawned, text: string): Promise<void> {
  for (let waited = 0; waited < 120_000 && spawned.child.exitCode === null; waited += 25) {
    if (spawned.output.stderr.includes(text)) return;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`pid ${spawned.child.pid} never printed "${text}":\n${spawned.output.stderr}`);
}

async function runConfig(directory: string): Promise<string> {
  const path = join(directory, 'run.yaml');
  await writeFile(
    path,
    stringify({
      teacher: 'knowledge-base',
      student: { model: 'new', training: { epochs: 1 } },
      data: { train: { benchmark: { seed: 1, conditionCount: 4 } } },
      strategies: ['medthink'],
    }),
  );
  return path;
}

afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('run directory lock, across real processes', () => {
  it('refuses a second `run` while a `demo` works in the directory; SIGINT releases the lock', async () => {
    const directory = await temporaryDirectory();
    const out = join(directory, 'out');
    const demo = start([cliEntry, 'demo', '--quick', '--out', out]);
    const holder = await lockTakenBy(demo, out);

    const second = await runMedistill(['run', await runConfig(directory), '--out', out]);
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toContain(`is in use by pid ${demo.child.pid}`);
    expect(second.stderr).toContain(`started ${holder.startedAt}`);
    expect(second.stderr).toContain('medistill demo --quick');
    // The refused run touched nothing: no store, no student.
    expect(existsSync(join(out, 'run.sqlite'))).toBe(false);

    // Interrupt it after an evaluation: by then node-llama-cpp has loaded signal-exit, whose
    // listener ends the process without unwinding when it finds itself the only one left.
    await outputContains(demo, 'base.evaluate');
    demo.child.kill('SIGINT');
    expect(await demo.exited).toEqual({ code: 2, signal: null });
    expect(demo.output.stderr).toMatch(/medistill: (stopped|training was cancelled)/);
    expect(existsSync(join(out, runLockFileName))).toBe(false);
  });

  it('refuses a second `demo` while a `run` works in the directory; SIGTERM releases the lock', async () => {
    const directory = await temporaryDirectory();
    const out = join(directory, 'out');
    const run = start([cliEntry, 'run', await runConfig(directory), '--out', out]);
    await lockTakenBy(run, out);

    const second = await runMedistill(['demo', '--quick', '--out', out]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(`run directory .* is in use by pid ${run.child.pid} .*started 20`),
    );

    await outputContains(run, 'stage1.evaluate');
    run.child.kill('SIGTERM');
    const exit = await run.exited;
    // Stopped through its own shutdown (an abort, exit code 2), not killed by the signal.
    expect(exit.signal).toBeNull();
    expect(existsSync(join(out, runLockFileName))).toBe(false);
  });

  it('takes over the stale lock of a holder killed with -9', async () => {
    const directory = await temporaryDirectory();
    const holder = start([childScript], { RUN_DIRECTORY: directory, MODE: 'hold' });
    const held = await lockTakenBy(holder, directory);

    const refused = start([childScript], { RUN_DIRECTORY: directory, MODE: 'take' });
    expect((await refused.exited).code).not.toBe(0);
    expect(refused.output.stderr).toContain(`in use by pid ${holder.child.pid}`);

    holder.child.kill('SIGKILL');
    await holder.exited;
    // The dead holder's lock is still there: nothing released it.
    expect(readRunLock(join(directory, runLockFileName))?.token).toBe(held.token);

    const taker = start([childScript], { RUN_DIRECTORY: directory, MODE: 'take' });
    expect((await taker.exited).code, taker.output.stderr).toBe(0);
    const printed = JSON.parse(taker.output.stdout) as { holder: RunLockHolder; tookOver: RunLockHolder };
    expect(printed.tookOver.pid).toBe(holder.child.pid);
    expect(printed.tookOver.token).toBe(held.token);
    expect(existsSync(join(directory, runLockFileName))).toBe(false);
  });
});
