import type { Item } from '../../datasets/item.js';
import { mapConcurrent } from '../../util/map-concurrent.js';
import type { StrategyContext } from '../strategy-context.js';

export interface ItemFailure {
  itemId: string;
  error: string;
}

export interface TeacherStageResult<T> {
  results: { itemId: string; value: T }[];
  failures: ItemFailure[];
}

/**
 * Run one teacher role over items with bounded concurrency. A failed item is recorded and the
 * stage goes on; the whole result is persisted so a rerun resumes after the stage.
 */
export function runTeacherStage<T>(
  context: StrategyContext,
  stage: string,
  items: readonly Item[],
  work: (item: Item) => Promise<T>,
): Promise<TeacherStageResult<T>> {
  return context.stages.run(stage, async () => {
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
    const result: TeacherStageResult<T> = { results: [], failures: [] };
    outcomes.forEach((outcome, index) => {
      const itemId = items[index]!.id;
      if (outcome.ok) result.results.push({ itemId, value: outcome.value });
      else result.failures.push({ itemId, error: outcome.error.message });
    });
    context.emit({
      type: 'stage-end',
      ...base,
      summary: `${result.results.length} done, ${result.failures.length} failed`,
    });
    return result;
  });
}
