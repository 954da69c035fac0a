import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tsxEsmApiPath } from '../worker-training.js';
import { loadSystemBlas } from './system-blas.js';

const run = promisify(execFile);
const blasPresent = !('failures' in loadSystemBlas());

// A fresh process (the test runner's may have loaded the BLAS already): a worker loads the BLAS
// and ends, then the main thread looks whether the library is still mapped.
const script = (systemBlas: string, tsx: string) => `
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
const mapped = () => readFileSync('/proc/self/maps', 'utf8').includes('openblas');
const code = \`Promise.all([
  import('node:worker_threads'),
  import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(systemBlas)}); }),
]).then(([{ parentPort }, blas]) => parentPort.postMessage('library' in blas.loadSystemBlas()));\`;
const worker = new Worker(code, { eval: true });
const loaded = await new Promise((done) => worker.once('message', done));
console.log('loaded in worker ' + loaded + ', mapped while it runs ' + mapped());
await worker.terminate();
for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((done) => setTimeout(done, 50)); }
console.log('mapped after it ended ' + mapped());
`;

// CI installs OpenBLAS (.ci/run), so there a missing BLAS fails this test instead of skipping it.
describe.skipIf(process.platform !== 'linux' || (!blasPresent && !process.env.CI))('the system BLAS', () => {
  it('stays loaded after the worker that loaded it ends', async () => {
    const systemBlas = pathToFileURL(join(import.meta.dirname, 'system-blas.ts')).href;
    const { stdout } = await run(process.execPath, [
      '--expose-gc',
      '--input-type=module',
      '-e',
      script(systemBlas, pathToFileURL(tsxEsmApiPath()).href),
    ]);
    expect(stdout).toContain('loaded in worker true, mapped while it runs true');
    // Unloaded under a main thread that may be forking, it crashed the process (see pinLoaded).
    expect(stdout).toContain('mapped after it ended true');
  });
});
