import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../../util/atomic-write.js';

/**
 * Stage-boundary resume: a stage's result is written (atomically) once it completes, and a rerun
 * reads it back instead of redoing the stage. Inside teacher stages, resume comes from the run
 * store's call cache, so a killed stage repeats no completed call either.
 */
export class StageCache {
  constructor(readonly directory: string) {}

  path(name: string): string {
    return join(this.directory, `${name}.json`);
  }

  async run<T>(name: string, compute: () => Promise<T>): Promise<T> {
    const path = this.path(name);
    if (existsSync(path)) return JSON.parse(await readFile(path, 'utf8')) as T;
    const value = await compute();
    await mkdir(this.directory, { recursive: true });
    await writeFileAtomically(path, `${JSON.stringify(value, null, 1)}\n`);
    return value;
  }
}
