import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runMedistill } from '../support/cli.js';
import type { RunningLlamaServer } from '../support/llama-server.js';
import { clinicalQuestions, startNoiseTeacher, writeQuestionSplits } from '../support/noise-teacher.js';
import { temporaryDirectory } from '../support/paths.js';

/**
 * A teacher whose every reply is unreadable (llama-server over a random model, asked for free
 * text that must end in "Final Answer:"): the strategies that need it stop with one message that
 * names the stage, the counts, the commonest reason with an example reply and the failed-items
 * file; the others still report, and a run where all fail ends with each one's message.
 */
describe('medistill run with a hopeless teacher', () => {
  let server: RunningLlamaServer;
  let dir: string;
  beforeAll(async () => {
    server = await startNoiseTeacher(clinicalQuestions.flat());
    dir = await temporaryDirectory();
    await writeQuestionSplits(dir);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function run(name: string, strategies: string[]) {
    const config = {
      name,
      teacher: `llama-server:${server.baseUrl}#tiny`,
      teacherLimits: { maxTokens: 24 },
      student: {
        model: 'new',
        shape: { layers: 1, embeddingLength: 32, contextLength: 256, tokenizer: 'word' },
        training: { epochs: 1, batchSize: 4, validationSplit: 0 },
        maxAnswerTokens: 8,
      },
      data: { train: join(dir, 'train.jsonl'), test: join(dir, 'test.jsonl') },
      strategies,
      concurrency: 4,
    };
    const configPath = join(dir, `${name}.yaml`);
    await writeFile(configPath, stringify(config));
    const out = join(dir, name);
    return { ...(await runMedistill(['run', configPath, '--out', out, '--json'])), out };
  }

  it('stops the teacher strategy with one clear message; the gold-label strategy still reports', async () => {
    const result = await run('mixed', ['answer-only', 'gold-label']);
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      strategies: { strategy: string; n: number; error?: string }[];
    };
    const failed = printed.strategies.find((entry) => entry.strategy === 'answer-only')!;
    const failuresPath = join(result.out, 'answer-only', 'seed-1', 'screen.failures.jsonl');
    expect(failed.error).toContain('seed 1: stage "screen" cannot go on: 0 of 6 items usable, 6 failed');
    expect(failed.error).toMatch(/Commonest failure \(6 items\): answer@\S+: no "Final Answer:"/);
    expect(failed.error).toMatch(/e\.g\. item \S+ got the reply "[^"]+"/);
    expect(failed.error).toContain(`Every failed item: ${failuresPath}`);
    const listed = (await readFile(failuresPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { itemId: string; reason: string; reply: string });
    expect(listed).toHaveLength(6);
    expect(
      listed.every(
        (entry) => /^answer@\S+: no "Final Answer:"$/.test(entry.reason) && entry.reply.length > 0,
      ),
    ).toBe(true);

    const gold = printed.strategies.find((entry) => entry.strategy === 'gold-label')!;
    expect(gold.error).toBeUndefined();
    expect(gold.n).toBe(2);
    // The report is written and names the failed strategy.
    const markdown = await readFile(join(result.out, 'report.md'), 'utf8');
    expect(markdown).toContain('Failed: answer-only (seed 1: stage "screen" cannot go on');
  });

  it("ends a run whose every strategy failed with each strategy's message, not a schema error", async () => {
    const result = await run('hopeless', ['answer-only', 'chain-of-thought']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/not a valid run report|Too small|unexpected error/);
    expect(result.stderr).toContain('every strategy failed, so there are no results to report:');
    expect(result.stderr).toMatch(
      / {2}answer-only: seed 1: stage "screen" cannot go on: 0 of 6 items usable/,
    );
    expect(result.stderr).toMatch(
      / {2}chain-of-thought: seed 1: stage "rationale" cannot go on: 0 of 6 items usable.*chain-of-thought@\S+: no "Answer:" line/,
    );
    expect(existsSync(join(result.out, 'results.json'))).toBe(false);
  });
});
