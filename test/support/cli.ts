import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the medistill CLI from source, as a user would run the built binary. */
export function runMedistill(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(repoRoot, 'test', 'support', 'cli-entry.ts'), ...args],
      {
        cwd: options.cwd ?? repoRoot,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `medistill model new --preset` at a cut depth: the small real-family student several tests use. */
export function makePresetModel(
  out: string,
  options: { preset?: string; layers?: number; type?: string } = {},
): Promise<CliResult> {
  const { preset = 'smollm2-135m', layers = 1, type = 'q8_0' } = options;
  return runMedistill([
    'model',
    'new',
    '--preset',
    preset,
    '--layers',
    String(layers),
    '--type',
    type,
    '--out',
    out,
  ]);
}
