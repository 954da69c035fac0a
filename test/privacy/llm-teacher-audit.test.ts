import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runMedistill } from '../support/cli.js';
import type { RunningLlamaServer } from '../support/llama-server.js';
import {
  clinicalQuestions,
  noiseTeacherRunConfig,
  startNoiseTeacher,
  writeQuestionSplits,
} from '../support/noise-teacher.js';
import { temporaryDirectory } from '../support/paths.js';

interface Audit {
  summary: string;
  hosts: { host: string; address: string; local: boolean; requests: number; stages: string[] }[];
  requests: { stage?: string; itemId?: string; bytesSent: number; bytesReceived: number; status?: number }[];
}

/** Every path under `root` with its permission bits. */
async function modes(root: string): Promise<{ path: string; mode: number; directory: boolean }[]> {
  const found: { path: string; mode: number; directory: boolean }[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    found.push({ path, mode: info.mode & 0o777, directory: info.isDirectory() });
  }
  return found;
}

const callCount = (out: string): { calls: number; purged: number } => {
  const database = new BetterSqlite3(join(out, 'run.sqlite'), { readonly: true });
  const row = database
    .prepare(`SELECT COUNT(*) AS calls, SUM(request_json = '{"purged":true}') AS purged FROM calls`)
    .get() as { calls: number; purged: number | null };
  database.close();
  return { calls: row.calls, purged: row.purged ?? 0 };
};

/**
 * The privacy record of a real LLM-teacher run (llama-server on loopback): the egress log and
 * `medistill audit`, the report's network line, owner-only files, and purging the teacher's text.
 */
describe.skipIf(process.platform === 'win32')('privacy record of an LLM-teacher run', () => {
  let server: RunningLlamaServer;
  beforeAll(async () => {
    server = await startNoiseTeacher(clinicalQuestions.flat());
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('logs every request, audits them, keeps files private and purges teacher text', async () => {
    const dir = await temporaryDirectory();
    const configPath = join(dir, 'run.yaml');
    await writeQuestionSplits(dir);
    await writeFile(configPath, stringify(noiseTeacherRunConfig(server, dir)));
    const out = join(dir, 'run');
    const run = await runMedistill(['run', configPath, '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);

    // audit --json: every attempt in the call log went over HTTP to the loopback teacher.
    const audited = await runMedistill(['audit', out, '--json']);
    expect(audited.code, audited.stderr).toBe(0);
    const audit = JSON.parse(audited.stdout) as Audit;
    const { calls } = callCount(out);
    expect(audit.requests.length).toBe(calls);
    expect(audit.hosts).toHaveLength(1);
    expect(audit.hosts[0]).toMatchObject({
      host: '127.0.0.1',
      address: '127.0.0.1',
      local: true,
      requests: calls,
    });
    expect(audit.hosts[0]!.stages).toEqual(
      expect.arrayContaining(['setup', 'answer', 'explain', 'judge', 'correct']),
    );
    expect(audit.requests.every((request) => request.bytesSent > 0 && request.bytesReceived > 0)).toBe(true);
    expect(audit.requests.filter((request) => request.itemId !== undefined).length).toBe(calls - 1);
    expect(audit.summary).toBe(
      `${calls} requests, all to loopback (127.0.0.1:${new URL(server.baseUrl).port}); nothing left this machine`,
    );
    // The table: a header and one row per endpoint.
    const table = await runMedistill(['audit', out]);
    expect(table.stdout).toContain(audit.summary);
    expect(table.stdout).toMatch(/endpoint\s+address\s+local\s+requests/);
    expect(table.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:\\d+\\s+127\\.0\\.0\\.1\\s+yes\\s+${calls}\\s`));
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain(`Network: ${audit.summary}`);

    // Owner only: directories 0700, files 0600.
    expect((await stat(out)).mode & 0o777).toBe(0o700);
    const paths = await modes(out);
    expect(paths.length).toBeGreaterThan(5);
    for (const { path, mode, directory } of paths) expect(mode, path).toBe(directory ? 0o700 : 0o600);

    // Purge: the text goes, counts and the report stay, and a rerun asks the teacher again.
    const purge = await runMedistill(['purge', out, '--teacher-text', '--json']);
    expect(purge.code, purge.stderr).toBe(0);
    const purged = JSON.parse(purge.stdout) as { calls: number; files: string[] };
    expect(purged.calls).toBe(calls);
    expect(purged.files).toEqual(expect.arrayContaining(['medthink/seed-1/explain.json']));
    expect(callCount(out)).toEqual({ calls, purged: calls });
    const after = await readFile(join(out, 'results.json'), 'utf8');
    expect(after).not.toContain('correctiveChain');
    expect(after).not.toContain('teacherExplanation');
    const rendered = await runMedistill(['report', out]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect((await runMedistill(['audit', out, '--json'])).stdout).toBe(audited.stdout);

    const before = await server.metrics();
    const rerun = await runMedistill(['run', configPath, '--out', out, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await server.metrics()).prompt_tokens_total).toBeGreaterThan(before.prompt_tokens_total ?? 0);
  });
});
