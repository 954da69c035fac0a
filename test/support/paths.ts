import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's location. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The real datasets kept beside the repository (read in place, never copied). */
export const sharedDataDir = resolve(repoRoot, '..', 'shared', 'data');

export function sharedDataPath(...parts: string[]): string {
  return join(sharedDataDir, ...parts);
}

export const hasSharedData = existsSync(sharedDataDir);

export function temporaryDirectory(prefix = 'medistill-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
