import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { RunStore } from '../../src/store/run-store.js';
import { sha256Hex } from '../../src/util/canonical-json.js';
import { runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';

/** `medistill run` after a review: it trains on the reviewed explanations, counts them, and retrains only then. */
describe('medistill run on a reviewed run', () => {
  it('drops rejected explanations, trains on edited ones, and retrains nothing when nothing changed', async () => {
    const dir = await temporaryDirectory('medistill-reviewed-run-');
    const config = join(dir, 'run.yaml');
    await writeFile(
      config,
      stringify({
        name: 'reviewed',
        teacher: 'knowledge-base',
        student: { model: 'new', training: { epochs: 1, batchSize: 8 }, maxAnswerTokens: 16 },
        data: {
          train: {
            benchmark: { seed: 2, conditionCount: 4, trainVignettesPerPair: 1, testVignettesPerPair: 1 },
          },
        },
        strategies: ['explanation'],
        concurrency: 4,
      }),
    );
    const out = join(dir, 'out');
    const run = async () => {
      const result = await runMedistill(['run', config, '--out', out]);
      expect(result.code, result.stderr).toBe(0);
    };
    await run();
    const seed = join(out, 'explanation', 'seed-1');
    const explained = JSON.parse(await readFile(join(seed, 'explain.json'), 'utf8')) as {
      results: { itemId: string; value: string }[];
    };
    const [rejected, edited] = explained.results as [
      { itemId: string; value: string },
      { itemId: string; value: string },
    ];
    const store = RunStore.openDirectory(out);
    const base = { stage: 'explain', reviewer: 'reviewer-1', reviewedAt: new Date().toISOString() };
    await store.reviews.record({
      ...base,
      itemId: rejected.itemId,
      originalHash: sha256Hex(rejected.value),
      decision: 'reject',
    });
    await store.reviews.record({
      ...base,
      itemId: edited.itemId,
      originalHash: sha256Hex(edited.value),
      decision: 'edit',
      text: `${edited.value} Reviewed .`,
    });
    store.close();
    const trainedBefore = (await stat(join(seed, 'student.gguf'))).mtimeMs;
    const trainings = async () =>
      (await readdir(join(out, 'trained-models'))).filter((name) => name.endsWith('.gguf')).length;
    expect(await trainings()).toBe(1);

    await run();
    const examples = (await readFile(join(seed, 'student.train.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { messages: { content: string }[]; meta: { itemId: string } });
    expect(examples).toHaveLength(explained.results.length - 1);
    expect(examples.some((example) => example.meta.itemId === rejected.itemId)).toBe(false);
    expect(examples.find((example) => example.meta.itemId === edited.itemId)?.messages[1]?.content).toBe(
      `${edited.value} Reviewed .`,
    );
    const trainedAfter = (await stat(join(seed, 'student.gguf'))).mtimeMs;
    expect(trainedAfter).not.toBe(trainedBefore);
    // A new training (new data), not a copy of the old one.
    expect(await trainings()).toBe(2);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as {
      report: { review?: unknown };
    };
    expect(results.report.review).toEqual({
      items: 2,
      accepted: 0,
      edited: 1,
      rejected: 1,
      applied: 2,
      stale: 0,
    });
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain(
      'Reviewed: 2 items (0 accepted, 1 edited, 1 rejected); 2 of 2 decisions applied to the training data.',
    );

    // Nothing changed since: nothing retrains.
    await run();
    expect((await stat(join(seed, 'student.gguf'))).mtimeMs).toBe(trainedAfter);
    expect(await trainings()).toBe(2);
  }, 300_000);
});
