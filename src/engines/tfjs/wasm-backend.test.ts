import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

// In a child process: the test runner's own process-wide error handlers would hide the effect.
const script = `
import { useWasmBackend } from './src/engines/tfjs/wasm-backend.ts';
const counts = () => [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
const before = counts();
process.on('unhandledRejection', (reason) => console.log('host saw: ' + reason.message));
await useWasmBackend();
console.log('listeners before ' + before.join(',') + ', after ' + counts().join(','));
Promise.reject(new Error('a stray rejection'));
setTimeout(() => console.log('still running'), 100);
`;

describe('the wasm backend', () => {
  it("leaves the host's handling of unhandled rejections alone", async () => {
    const child = run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../../..', import.meta.url),
    });
    // Without the fix the child dies with exit code 7 and Emscripten's minified source on stderr.
    const { stdout, code } = await child.then(
      (done) => ({ stdout: done.stdout, code: 0 }),
      (failed: { stdout: string; code: number }) => ({ stdout: failed.stdout, code: failed.code }),
    );
    expect(code).toBe(0);
    // Emscripten's glue adds two listeners that rethrow (exit code 7); the one the host added stays.
    expect(stdout).toContain('listeners before 0,0, after 0,1');
    expect(stdout).toContain('host saw: a stray rejection');
    expect(stdout).toContain('still running');
  });
});
