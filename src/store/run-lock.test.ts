import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/support/paths.js';
import { RunDirectoryLockedError, type RunLockHolder } from '../errors.js';
import { processStartTicks } from './process-identity.js';
import { acquireRunLock, readRunLock, runLockFileName, withRunLock } from './run-lock.js';

async function writeLock(directory: string, holder: Partial<RunLockHolder>): Promise<void> {
  const full: RunLockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: '2026-01-01T00:00:00.000Z',
    command: 'medistill run old.yaml',
    token: 'planted',
    ...holder,
  };
  await writeFile(join(directory, runLockFileName), JSON.stringify(full));
}

describe('acquireRunLock', () => {
  it('writes the holder, refuses a second taker, and removes only its own lock on release', async () => {
    const directory = await temporaryDirectory();
    const lock = acquireRunLock(directory, { command: 'first' });
    expect(readRunLock(lock.path)).toEqual(lock.holder);
    expect(lock.holder.pid).toBe(process.pid);
    expect(() => acquireRunLock(directory)).toThrow(RunDirectoryLockedError);
    lock.release();
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    // No temporary or set-aside files are left behind.
    expect(readdirSync(directory)).toEqual([]);
  });

  it('releases when the work throws', async () => {
    const directory = await temporaryDirectory();
    await expect(
      withRunLock(directory, async () => {
        throw new Error('stage failed');
      }),
    ).rejects.toThrow('stage failed');
    expect(existsSync(join(directory, runLockFileName))).toBe(false);
  });

  it.runIf(processStartTicks(process.pid) !== undefined)(
    'takes over a lock whose pid now belongs to a process that started at another time',
    async () => {
      const directory = await temporaryDirectory();
      await writeLock(directory, { processStart: '1' });
      const lock = acquireRunLock(directory);
      expect(lock.tookOver?.token).toBe('planted');
      lock.release();
    },
  );

  it('refuses a lock held on another host, which it cannot check, and names that host', async () => {
    const directory = await temporaryDirectory();
    await writeLock(directory, { host: 'ward-7-workstation', pid: 4242 });
    expect(() => acquireRunLock(directory)).toThrow(
      /in use by pid 4242 on host ward-7-workstation .*if that run is gone, remove .*run\.lock/,
    );
  });

  it('names a lock file that is not a lock', async () => {
    const directory = await temporaryDirectory();
    await writeFile(join(directory, runLockFileName), 'hello');
    expect(() => acquireRunLock(directory)).toThrow(/run\.lock: not a medistill run lock/);
  });
});
