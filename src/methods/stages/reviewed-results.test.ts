import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReviewDecision } from '../../store/review-log.js';
import { sha256Hex } from '../../util/canonical-json.js';
import { ReviewSet } from '../run/review-set.js';
import { StageCache } from '../run/stage-cache.js';
import type { StrategyContext } from '../strategy-context.js';
import { applyReviews } from './reviewed-results.js';

const decision = (
  itemId: string,
  original: string,
  verdict: ReviewDecision['decision'],
  text?: string,
): ReviewDecision => ({
  stage: 'stage2.correct',
  itemId,
  originalHash: sha256Hex(original),
  decision: verdict,
  ...(text !== undefined ? { text } : {}),
  reviewer: 'r',
  reviewedAt: '2026-11-29T10:00:00.000Z',
});

/** A strategy directory whose stages finished in order: correct, then train (with a checkpoint), then evaluate. */
async function strategyDirectory(): Promise<{ context: StrategyContext; files: string[] }> {
  const directory = await mkdtemp(join(tmpdir(), 'medistill-reviewed-'));
  const files = ['explain', 'stage2.correct', 'stage2.train', 'stage2.evaluate'].map((name) =>
    join(directory, `${name}.json`),
  );
  for (const file of files) {
    await writeFile(file, '{}');
    await new Promise((done) => setTimeout(done, 5));
  }
  await mkdir(join(directory, 'checkpoints', 'stage2'), { recursive: true });
  const context = { directory, stages: new StageCache(directory) } as StrategyContext;
  return { context, files };
}

const result = {
  results: [
    { itemId: 'q1', value: 'chain one' },
    { itemId: 'q2', value: 'chain two' },
    { itemId: 'q3', value: 'chain three' },
  ],
  failures: [],
};

describe('applyReviews', () => {
  it('replaces edited texts, drops rejected ones, keeps accepted and unreviewed ones', async () => {
    const { context } = await strategyDirectory();
    context.reviews = new ReviewSet([
      decision('q1', 'chain one', 'edit', 'edited one'),
      decision('q2', 'chain two', 'reject'),
      decision('q3', 'chain three', 'accept'),
    ]);
    const applied = await applyReviews(context, 'stage2.correct', result);
    expect(applied.results).toEqual([
      { itemId: 'q1', value: 'edited one' },
      { itemId: 'q3', value: 'chain three' },
    ]);
    expect(context.reviews.summary()).toEqual({
      items: 3,
      accepted: 1,
      edited: 1,
      rejected: 1,
      applied: 3,
      stale: 0,
    });
  });

  it('leaves a text alone when the decision was about another text, and counts it stale', async () => {
    const { context } = await strategyDirectory();
    context.reviews = new ReviewSet([decision('q1', 'an older chain', 'reject')]);
    expect((await applyReviews(context, 'stage2.correct', result)).results).toHaveLength(3);
    expect(context.reviews.summary()).toMatchObject({ applied: 0, stale: 1 });
  });

  it('discards the stages finished after a reviewed one (and their checkpoints) only when the changes differ', async () => {
    const { context, files } = await strategyDirectory();
    const [explain, correct, train, evaluate] = files as [string, string, string, string];
    context.reviews = new ReviewSet([decision('q1', 'chain one', 'edit', 'edited one')]);
    await applyReviews(context, 'stage2.correct', result);
    expect([explain, correct, train, evaluate].map(existsSync)).toEqual([true, true, false, false]);
    expect(existsSync(join(context.directory, 'checkpoints', 'stage2'))).toBe(false);
    // The same changes again: the stages redone since are kept.
    await writeFile(train, '{}');
    await applyReviews(context, 'stage2.correct', result);
    expect(existsSync(train)).toBe(true);
    // The review withdrawn (accepted instead): the text changes back, so later stages go again.
    context.reviews = new ReviewSet([decision('q1', 'chain one', 'accept')]);
    await applyReviews(context, 'stage2.correct', result);
    expect(existsSync(train)).toBe(false);
    expect(existsSync(join(context.directory, 'stage2.correct.review.json'))).toBe(false);
  });

  it('does nothing without reviews', async () => {
    const { context, files } = await strategyDirectory();
    expect(await applyReviews(context, 'stage2.correct', result)).toBe(result);
    expect(files.map(existsSync)).toEqual([true, true, true, true]);
  });
});
