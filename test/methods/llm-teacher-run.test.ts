import { readFile, writeFile } from 'node:fs/promises';
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

/**
 * MedThink with a real OpenAI-compatible server as teacher and judge (llama-server serving a tiny
 * random model): answer quality is irrelevant, what matters is that every teacher role goes
 * through the server, is recorded in the run store, and the run finishes with its results.
 */
describe('MedThink with an LLM teacher over HTTP', () => {
  let server: RunningLlamaServer;
  beforeAll(async () => {
    server = await startNoiseTeacher(clinicalQuestions.flat());
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs every teacher role through llama-server and records every call', async () => {
    const dir = await temporaryDirectory();
    await writeQuestionSplits(dir);
    const config = noiseTeacherRunConfig(server, dir);
    const configPath = join(dir, 'run.yaml');
    await writeFile(configPath, stringify(config));
    const out = join(dir, 'run');
    const result = await runMedistill(['run', configPath, '--out', out, '--json']);
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      strategies: { strategy: string; n: number; error?: string }[];
    };
    const medthink = printed.strategies.find((entry) => entry.strategy === 'medthink')!;
    expect(medthink.error).toBeUndefined();
    expect(medthink.n).toBe(2);

    const database = new BetterSqlite3(join(out, 'run.sqlite'), { readonly: true });
    const requests = database
      .prepare('SELECT request_json FROM calls WHERE response_json IS NOT NULL')
      .all() as { request_json: string }[];
    const stages = database.prepare('SELECT DISTINCT stage FROM calls').all() as { stage: string }[];
    expect(stages.map((row) => row.stage)).toEqual(
      expect.arrayContaining(['answer', 'correct', 'explain', 'judge']),
    );
    database.close();
    const systemPrompts = new Set(
      requests.map(
        (row) =>
          (JSON.parse(row.request_json) as { request: { messages: { content: string }[] } }).request
            .messages[0]!.content,
      ),
    );
    // Each role's template has its own system prompt: answer (screen), judge, explain, correct.
    expect([...systemPrompts].some((text) => text.includes('answering medical exam questions'))).toBe(true);
    expect([...systemPrompts].some((text) => text.includes('grade answers'))).toBe(true);
    expect([...systemPrompts].some((text) => text.includes('teaches the domain knowledge'))).toBe(true);
    expect([...systemPrompts].some((text) => text.includes('correcting a student'))).toBe(true);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as {
      results: { strategies: unknown[] };
    };
    expect(results.results.strategies).toHaveLength(1);

    // A rerun resumes: every teacher call is served from the store, none reaches the server again.
    const before = await server.metrics();
    const again = await runMedistill(['run', configPath, '--out', out, '--json']);
    expect(again.code, again.stderr).toBe(0);
    const after = await server.metrics();
    // Every completion the server ran adds to its prompt-token counter; a cached rerun adds nothing.
    expect(before.prompt_tokens_total).toBeGreaterThan(0);
    expect(after.prompt_tokens_total).toBe(before.prompt_tokens_total);
    expect(JSON.parse(again.stdout)).toEqual(printed);
  });
});
