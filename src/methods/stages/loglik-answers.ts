import type { Item } from '../../datasets/item.js';
import { itemPromptText } from '../../datasets/item-prompt.js';
import { matchesReference } from '../../eval/extract-answer.js';
import { mapConcurrent } from '../../util/map-concurrent.js';
import { answerLine } from '../answer-format.js';
import type { StrategyContext, StudentFiles } from '../strategy-context.js';

/** Accuracy by log-likelihood over the admissible answers, beside the generated-answer accuracy. */
export interface LoglikAccuracy {
  /** Items with options (multiple choice, yes/no/maybe); open-ended items have none to score. */
  total: number;
  correct: number;
  /** Items the model failed to score (counted as wrong). */
  failed: number;
}

/**
 * The answers an item admits, each as the answer line the student is trained to write
 * (`Answer: <option text>`). Undefined for open-ended items.
 */
export function loglikCandidates(item: Item): { key: string; continuation: string }[] | undefined {
  if (item.kind === 'open-ended') return undefined;
  const keys =
    item.kind === 'multiple-choice'
      ? item.options.map((option) => option.key)
      : item.context.length > 0
        ? ['yes', 'no', 'maybe']
        : ['yes', 'no'];
  return keys.map((key) => ({ key, continuation: answerLine(item, key) }));
}

/**
 * The answer a student finds likeliest: the highest summed log-probability of the answer line,
 * the first on ties (lm-evaluation-harness's acc). Measured on the benchmark's 368 test items with
 * a random-weight student: summed 24.5% (90/368), mean per token 31.5% (116/368), so the sum,
 * which sits at chance, is used.
 */
export function likeliestAnswer(
  candidates: readonly { key: string }[],
  scores: readonly { logprob: number }[],
): string {
  let best = 0;
  for (let index = 1; index < candidates.length; index++)
    if (scores[index]!.logprob > scores[best]!.logprob) best = index;
  return candidates[best]!.key;
}

/**
 * Score the test items by log-likelihood: the student's own prompt, then each admissible answer
 * line. Cheap beside generation (one prompt and a few answer tokens per option, no decoding
 * loop), so every strategy gets it. Null when the student cannot score continuations or no item
 * has options.
 */
export function studentLoglik(
  context: StrategyContext,
  stage: string,
  student: StudentFiles,
  items: readonly Item[],
  promptPrefix = '',
): Promise<LoglikAccuracy | null> {
  const scorable = items.flatMap((item) => {
    const candidates = loglikCandidates(item);
    return candidates ? [{ item, candidates }] : [];
  });
  if (scorable.length === 0) return Promise.resolve(null);
  return context.stages.run(stage, async (): Promise<LoglikAccuracy | null> => {
    const base = { strategy: context.strategy, seed: context.seed, stage };
    context.emit({ type: 'stage-start', ...base, total: scorable.length });
    const model = await context.student.load(student.modelPath, student.adapterPath);
    try {
      const score = model.scoreContinuations?.bind(model);
      if (!score) return null;
      const outcomes = await mapConcurrent(
        scorable,
        context.concurrency,
        async ({ item, candidates }) => {
          const scores = await score(
            [{ role: 'user', content: `${promptPrefix}${itemPromptText(item)}` }],
            candidates.map((candidate) => candidate.continuation),
            context.signal ? { signal: context.signal } : {},
          );
          return matchesReference(item, likeliestAnswer(candidates, scores));
        },
        context.signal ? { signal: context.signal } : {},
      );
      const correct = outcomes.filter((outcome) => outcome.ok && outcome.value).length;
      const failed = outcomes.filter((outcome) => !outcome.ok).length;
      context.emit({
        type: 'stage-end',
        ...base,
        summary: `${correct}/${scorable.length} correct by log-likelihood`,
      });
      return { total: scorable.length, correct, failed };
    } finally {
      await model.close?.();
    }
  });
}
