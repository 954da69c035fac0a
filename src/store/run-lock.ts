import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { MedistillError, RunDirectoryLockedError, type RunLockHolder } from '../errors.js';
import { temporaryPathFor } from '../util/atomic-write.js';
import { processExists, processStartTicks } from './process-identity.js';

/** The lock file every run directory holds while a run or demo works in it. */
export const runLockFileName = 'run.lock';

const holderSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  startedAt: z.string(),
  processStart: z.string().optional(),
  command: z.string(),
  token: z.string(),
});

/** A held run-directory lock. `release` is idempotent and also runs if the process exits first. */
export interface RunLock {
  readonly path: string;
  readonly holder: RunLockHolder;
  /** The dead holder whose lock this one replaced, if any. */
  readonly tookOver: RunLockHolder | undefined;
  release(): void;
}

export interface AcquireRunLockOptions {
  /** What the holder is doing, shown to a second process that is refused (default: this process's argv). */
  command?: string;
}

/**
 * Takes the run directory's lock, or throws `RunDirectoryLockedError` naming the live holder.
 *
 * The lock is a file created atomically with its holder's facts in it: written under a temporary
 * name, then hard-linked to `run.lock`, which fails if the name exists, so no process ever reads
 * a half-written lock. A lock whose holder is gone (no such pid on this host, or the pid now
 * belongs to a process that started at another time) is stale and taken over. A holder on another
 * host cannot be checked, so it is treated as live. See docs/decisions/0006-run-directory-lock.md.
 */
export function acquireRunLock(directory: string, options: AcquireRunLockOptions = {}): RunLock {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, runLockFileName);
  const processStart = processStartTicks(process.pid);
  const holder: RunLockHolder = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    ...(processStart !== undefined ? { processStart } : {}),
    command: options.command ?? commandLine(),
    token: randomBytes(8).toString('hex'),
  };
  const temporary = temporaryPathFor(path);
  writeFileSync(temporary, `${JSON.stringify(holder)}\n`);
  let tookOver: RunLockHolder | undefined;
  try {
    // Each pass either takes the lock, refuses, or removes one stale lock; a few passes cover
    // other processes racing for the same stale lock.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (tryCreate(temporary, path)) return heldLock(path, holder, tookOver);
      const existing = readHolder(path);
      if (existing === undefined) continue; // released between our try and our read
      if (!isStale(existing)) throw lockedError(directory, path, existing);
      if (removeIfStill(path, existing)) tookOver = existing;
    }
    throw new MedistillError(`could not take the lock ${path}: other processes keep taking it`);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Runs `work` holding the directory's lock; releases it however `work` ends. */
export async function withRunLock<T>(
  directory: string,
  work: (lock: RunLock) => Promise<T>,
  options: AcquireRunLockOptions = {},
): Promise<T> {
  const lock = acquireRunLock(directory, options);
  try {
    return await work(lock);
  } finally {
    lock.release();
  }
}

/** Reads a lock file's holder; undefined when there is no lock file. */
export function readRunLock(path: string): RunLockHolder | undefined {
  return readHolder(path);
}

/** The holder of a lock whose process still runs; undefined when there is no lock or it is stale. */
export function readLiveRunLock(path: string): RunLockHolder | undefined {
  const holder = readHolder(path);
  return holder && !isStale(holder) ? holder : undefined;
}

function tryCreate(temporary: string, path: string): boolean {
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // Filesystems without hard links: exclusive create, then write (a reader may briefly see it empty).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      try {
        writeFileSync(path, readFileSync(temporary), { flag: 'wx' });
        return true;
      } catch (fallback) {
        if ((fallback as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw fallback;
      }
    }
    throw error;
  }
}

function readHolder(path: string): RunLockHolder | undefined {
  for (let attempt = 0; ; attempt++) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return holderSchema.parse(JSON.parse(text)) as RunLockHolder;
    } catch (error) {
      // Only the no-hard-link fallback shows a lock before it is written; give it a moment.
      if (attempt < 20) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw new MedistillError(
        `${path}: not a medistill run lock (${error instanceof Error ? error.message : String(error)}); remove it if no run is using this directory`,
        { cause: error },
      );
    }
  }
}

/** A holder is stale when it is on this host and its process is gone or is another process now. */
function isStale(holder: RunLockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (!processExists(holder.pid)) return true;
  const now = processStartTicks(holder.pid);
  return holder.processStart !== undefined && now !== undefined && now !== holder.processStart;
}

/**
 * Removes the lock if it is still the stale one we judged. Moving it aside first is atomic, so
 * two processes that both judged it stale cannot both remove it; one that moved aside a lock that
 * a third process had just taken puts it back.
 */
function removeIfStill(path: string, stale: RunLockHolder): boolean {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const moved = readHolder(aside);
    if (moved?.token === stale.token) return true;
    try {
      linkSync(aside, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return false;
  } finally {
    rmSync(aside, { force: true });
  }
}

function heldLock(path: string, holder: RunLockHolder, tookOver: RunLockHolder | undefined): RunLock {
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Remove only our own lock: never one a later process took after ours was judged stale.
    if (readHolderQuietly(path)?.token === holder.token) rmSync(path, { force: true });
  };
  // A process that exits without unwinding (process.exit, an uncaught error) still releases.
  process.on('exit', release);
  return { path, holder, tookOver, release };
}

function readHolderQuietly(path: string): RunLockHolder | undefined {
  try {
    return readHolder(path);
  } catch {
    return undefined;
  }
}

function lockedError(directory: string, path: string, holder: RunLockHolder): RunDirectoryLockedError {
  const where = holder.host === hostname() ? '' : ` on host ${holder.host}`;
  const remedy =
    holder.host === hostname()
      ? 'wait for it to finish or stop it, or use another --out directory'
      : `this host cannot check it: if that run is gone, remove ${path}`;
  return new RunDirectoryLockedError(
    `run directory ${directory} is in use by pid ${holder.pid}${where} (${holder.command}), started ${holder.startedAt}; ${remedy}`,
    path,
    holder,
  );
}

function commandLine(): string {
  const script = process.argv.slice(2).join(' ');
  return script ? `medistill ${script}` : `pid ${process.pid}`;
}
