import type { Item } from '../../datasets/item.js';
import type { StrategyContext } from '../strategy-context.js';
import { type ItemFailure, runTeacherStage } from './teacher-stage.js';

export interface ScreenResult {
  kept: Item[];
  /** Items where the teacher disagreed with the reference (likely wrong labels or too hard), kept for inspection. */
  dropped: { itemId: string; teacherAnswers: string[]; reference: string }[];
  failures: ItemFailure[];
  /** The teacher's majority answer per item, the labels of answer-only distillation. */
  teacherAnswers: Map<string, string>;
}

const referenceOf = (item: Item): string =>
  item.kind === 'multiple-choice'
    ? item.answerKey
    : item.kind === 'yes-no-maybe'
      ? item.answer
      : item.referenceAnswer;

/**
 * Screening: the teacher answers every training item (k samples); an item is kept when the
 * majority answer agrees with the reference. Open-ended answers are compared by the judge.
 */
export async function screen(context: StrategyContext): Promise<ScreenResult> {
  const stage = await runTeacherStage(context, 'screen', context.train, async (item) => {
    const answers: string[] = [];
    for (let sample = 0; sample < context.samples; sample++)
      answers.push(await context.teacher.answer(item, { sample }));
    const majority = mostCommon(answers);
    const agrees =
      item.kind === 'open-ended'
        ? await context.teacher.judge(item, `Answer: ${majority}`)
        : majority === referenceOf(item);
    return { answers, majority, agrees };
  });
  const byId = new Map(context.train.map((item) => [item.id, item]));
  const result: ScreenResult = { kept: [], dropped: [], failures: stage.failures, teacherAnswers: new Map() };
  for (const { itemId, value } of stage.results) {
    const item = byId.get(itemId)!;
    result.teacherAnswers.set(itemId, value.majority);
    if (value.agrees) result.kept.push(item);
    else result.dropped.push({ itemId, teacherAnswers: value.answers, reference: referenceOf(item) });
  }
  return result;
}

export function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = values[0] ?? '';
  for (const [value, count] of counts) if (count > (counts.get(best) ?? 0)) best = value;
  return best;
}
