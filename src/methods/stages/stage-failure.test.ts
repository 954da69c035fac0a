import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../../test/support/paths.js';
import { StageFailedError } from '../../errors.js';
import type { StrategyContext } from '../strategy-context.js';
import { checkStageCanGoOn, type ItemFailure, minimumUsable } from './stage-failure.js';

const failures = (count: number): ItemFailure[] =>
  Array.from({ length: count }, (_, index) => ({
    itemId: `q${index}`,
    error: `answer for item q${index}: invalid reply`,
    reason: index % 10 === 0 ? 'answer: timed out' : 'answer: no "Final Answer:"',
    reply: `I think the patient  has\n${'x'.repeat(300)}`,
  }));

async function context(): Promise<StrategyContext> {
  return { seed: 3, directory: await temporaryDirectory(), train: [] } as unknown as StrategyContext;
}

describe('checkStageCanGoOn', () => {
  it('needs one item in ten, and at least one', () => {
    expect(minimumUsable(240)).toBe(24);
    expect(minimumUsable(5)).toBe(1);
    expect(minimumUsable(0)).toBe(1);
  });

  it('lets a stage with a few failures go on, and lists them', async () => {
    const at = await context();
    await expect(checkStageCanGoOn(at, 'screen', 240, failures(216))).resolves.toBeUndefined();
    expect(existsSync(`${at.directory}/screen.failures.jsonl`)).toBe(true);
    await expect(checkStageCanGoOn(at, 'explain', 0, [])).resolves.toBeUndefined();
  });

  it('stops 235 failures of 240 with the counts, the commonest reason and a shortened example reply', async () => {
    const at = await context();
    const error = await checkStageCanGoOn(at, 'screen', 240, failures(235)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(StageFailedError);
    const message = (error as StageFailedError).message;
    expect(message).toContain('seed 3: stage "screen" cannot go on: 5 of 240 items usable, 235 failed');
    expect(message).toContain('(it needs at least 24, 10%)');
    expect(message).toContain('Commonest failure (211 items): answer: no "Final Answer:"');
    expect(message).toMatch(/e\.g\. item q1 got the reply "I think the patient has x+…"/);
    expect(message.length).toBeLessThan(600);
    expect((error as StageFailedError).failuresPath).toBe(`${at.directory}/screen.failures.jsonl`);
  });
});
