import type { Item } from '../../datasets/item.js';
import { itemPromptText } from '../../datasets/item-prompt.js';
import { extractAnswer, matchesReference } from '../../eval/extract-answer.js';
import { mapConcurrent } from '../../util/map-concurrent.js';
import type { StrategyContext, StudentFiles } from '../strategy-context.js';
import { studentUserContent } from '../vision-inputs.js';

export interface StudentPrediction {
  itemId: string;
  reply: string;
  /** The extracted answer (option key, yes/no/maybe, or text); null when none could be read. */
  answer: string | null;
  /** Correct by exact match where the item allows it; open-ended items are decided by the judge later. */
  correct: boolean | undefined;
  error?: string;
}

/**
 * Read a student's reply with the one answer reader. Multiple-choice and yes/no/maybe answers are
 * decided by exact match; an open-ended answer is left undecided for the judge, unless nothing
 * could be read (wrong).
 */
export function readStudentReply(item: Item, reply: string): Pick<StudentPrediction, 'answer' | 'correct'> {
  const answer = extractAnswer(reply, item);
  if (item.kind === 'open-ended' && answer !== null) return { answer, correct: undefined };
  return { answer, correct: matchesReference(item, answer) };
}

/**
 * The student answers items greedily (probe on training items, evaluation on test items). The
 * prompt is the same text the student was trained on, plus a task prefix where the strategy uses one.
 */
export function studentAnswers(
  context: StrategyContext,
  stage: string,
  student: StudentFiles,
  items: readonly Item[],
  promptPrefix = '',
): Promise<StudentPrediction[]> {
  return context.stages.run(stage, async () => {
    const base = { strategy: context.strategy, seed: context.seed, stage };
    context.emit({ type: 'stage-start', ...base, total: items.length });
    const model = await context.student.load(student.modelPath, student.adapterPath);
    let done = 0;
    let failed = 0;
    try {
      const outcomes = await mapConcurrent(
        items,
        context.concurrency,
        async (item) => {
          const response = await model.generate({
            messages: [
              {
                role: 'user',
                content: await studentUserContent(context, item, `${promptPrefix}${itemPromptText(item)}`),
              },
            ],
            maxTokens: context.student.maxAnswerTokens,
            temperature: 0,
          });
          return response.choices[0]?.text ?? '';
        },
        {
          ...(context.signal ? { signal: context.signal } : {}),
          onSettled: (outcome) => {
            if (outcome.ok) done++;
            else failed++;
            context.emit({ type: 'stage-progress', ...base, done, failed, total: items.length });
          },
        },
      );
      const predictions = outcomes.map((outcome, index): StudentPrediction => {
        const item = items[index]!;
        if (!outcome.ok)
          return { itemId: item.id, reply: '', answer: null, correct: false, error: outcome.error.message };
        return { itemId: item.id, reply: outcome.value, ...readStudentReply(item, outcome.value) };
      });
      const right = predictions.filter((prediction) => prediction.correct === true).length;
      context.emit({ type: 'stage-end', ...base, summary: `${right}/${items.length} correct by match` });
      return predictions;
    } finally {
      await model.close?.();
    }
  });
}
