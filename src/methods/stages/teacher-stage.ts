import type { Item } from '../../datasets/item.js';
import { BudgetExceededError } from '../../errors.js';
import { mapConcurrent } from '../../util/map-concurrent.js';
import type { StrategyContext } from '../strategy-context.js';
import { TeacherReplyError } from '../teacher/teacher.js';
import { applyReviews } from './reviewed-results.js';
import { checkStageCanGoOn, type ItemFailure } from './stage-failure.js';

export type { ItemFailure } from './stage-failure.js';

export interface TeacherStageResult<T> {
  results: { itemId: string; value: T }[];
  failures: ItemFailure[];
}

/** A failed item as data: its cause, counted across items, and the reply that could not be read. */
function itemFailure(itemId: string, error: Error): ItemFailure {
  if (!(error instanceof TeacherReplyError)) return { itemId, error: error.message };
  return {
    itemId,
    error: error.message,
    reason: error.reason,
    ...(error.reply !== undefined ? { reply: error.reply } : {}),
  };
}

/**
 * Run one teacher role over items with bounded concurrency. A failed item is recorded and the
 * stage goes on, unless so few items are usable that the strategy cannot (then it throws a
 * `StageFailedError` and writes the failed items beside the stage); a finished stage is persisted
 * so a rerun resumes after it. Reviewer decisions apply to what it returns, not to what it keeps.
 */
export async function runTeacherStage<T>(
  context: StrategyContext,
  stage: string,
  items: readonly Item[],
  work: (item: Item) => Promise<T>,
): Promise<TeacherStageResult<T>> {
  const result = await context.stages.run(stage, async () => {
    const base = { strategy: context.strategy, seed: context.seed, stage };
    context.emit({ type: 'stage-start', ...base, total: items.length });
    let done = 0;
    let failed = 0;
    const outcomes = await mapConcurrent(items, context.concurrency, work, {
      ...(context.signal ? { signal: context.signal } : {}),
      onSettled: (outcome) => {
        if (outcome.ok) done++;
        else failed++;
        context.emit({ type: 'stage-progress', ...base, done, failed, total: items.length });
      },
    });
    // A spent budget is the run's to stop on, not an item's failure: nothing is kept, a rerun resumes.
    const spent = outcomes.find((outcome) => !outcome.ok && outcome.error instanceof BudgetExceededError);
    if (spent && !spent.ok) throw spent.error;
    const result: TeacherStageResult<T> = { results: [], failures: [] };
    outcomes.forEach((outcome, index) => {
      const itemId = items[index]!.id;
      if (outcome.ok) result.results.push({ itemId, value: outcome.value });
      else result.failures.push(itemFailure(itemId, outcome.error));
    });
    context.emit({
      type: 'stage-end',
      ...base,
      summary: `${result.results.length} done, ${result.failures.length} failed`,
    });
    await checkStageCanGoOn(context, stage, items.length, result.failures);
    return result;
  });
  return applyReviews(context, stage, result);
}
