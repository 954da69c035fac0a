import type { Item } from '../../datasets/item.js';
import type { StrategyContext } from '../strategy-context.js';
import type { StudentPrediction } from './student-answers.js';
import { type ItemFailure, runTeacherStage } from './teacher-stage.js';

/**
 * The teacher judges each probe reply. Multiple-choice and yes/no/maybe replies are judged by
 * exact answer match (as MedThink does when a key exists); open-ended replies go to the teacher.
 */
export async function judgeReplies(
  context: StrategyContext,
  stage: string,
  items: readonly Item[],
  predictions: readonly StudentPrediction[],
): Promise<{ wrong: StudentPrediction[]; failures: ItemFailure[] }> {
  const byId = new Map(predictions.map((prediction) => [prediction.itemId, prediction]));
  const verdicts = await runTeacherStage(context, stage, items, async (item) => {
    const prediction = byId.get(item.id)!;
    return prediction.correct ?? (await context.teacher.judge(item, prediction.reply));
  });
  const wrong = verdicts.results
    .filter((verdict) => !verdict.value)
    .map((verdict) => byId.get(verdict.itemId)!);
  return { wrong, failures: verdicts.failures };
}

/** For every wrong reply, the teacher writes a corrective chain from the knowledge to the right answer. */
export function correctErrors(
  context: StrategyContext,
  stage: string,
  items: readonly Item[],
  wrong: readonly StudentPrediction[],
  knowledge: ReadonlyMap<string, string>,
) {
  const replyById = new Map(wrong.map((prediction) => [prediction.itemId, prediction.reply]));
  const wrongItems = items.filter((item) => replyById.has(item.id));
  return runTeacherStage(context, stage, wrongItems, (item) =>
    context.teacher.correct(item, replyById.get(item.id)!, knowledge.get(item.id) ?? ''),
  );
}
