import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMedistill } from '../support/cli.js';
import { repoRoot, temporaryDirectory } from '../support/paths.js';

const decision = JSON.stringify({
  stage: 'explain',
  itemId: 'q1',
  originalHash: 'b'.repeat(64),
  decision: 'reject',
  reviewer: 'reviewer-1',
  reviewedAt: '2026-11-29T10:00:00.000Z',
});

describe('medistill view and review', () => {
  it('serves a run until SIGTERM, and refuses a non-loopback host without a token', async () => {
    const directory = await temporaryDirectory('medistill-view-cli-');
    await mkdir(join(directory, 'medthink', 'seed-1'), { recursive: true });
    const refused = await runMedistill(['view', directory, '--host', '0.0.0.0']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--token');

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'test', 'support', 'cli-entry.ts'),
        'view',
        directory,
        '--port',
        '0',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`view exited with ${code}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Strategies and stages');
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);

  it('imports review decisions once and exports them again', async () => {
    const directory = await temporaryDirectory('medistill-review-cli-');
    const file = join(directory, 'in.jsonl');
    await writeFile(file, `${decision}\n`);
    const run = join(directory, 'run');
    await mkdir(run);
    const noStore = await runMedistill(['review', 'export', run]);
    expect(noStore.code).not.toBe(0);
    expect(noStore.stderr).toContain('no run store');
    expect((await runMedistill(['review', 'import', run, file])).stdout).toContain('1 of 1 decisions added');
    expect((await runMedistill(['review', 'import', run, file])).stdout).toContain('0 of 1 decisions added');
    const exported = await runMedistill(['review', 'export', run]);
    expect(JSON.parse(exported.stdout)).toEqual(JSON.parse(decision));
  }, 60_000);
});
