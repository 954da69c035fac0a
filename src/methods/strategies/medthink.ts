import type { Item } from '../../datasets/item.js';
import { type Evaluation, evaluateStudent } from '../stages/evaluate.js';
import { correctErrors, judgeReplies } from '../stages/judge-and-correct.js';
import { screen } from '../stages/screen.js';
import { noExamplesError } from '../stages/stage-failure.js';
import { studentAnswers } from '../stages/student-answers.js';
import { runTeacherStage } from '../stages/teacher-stage.js';
import { trainStage } from '../stages/train.js';
import type { StrategyContext } from '../strategy-context.js';
import { studentFiles } from '../student-files.js';
import { example, type TrainingExample } from '../training-examples.js';
import { trainAndEvaluate } from './baselines.js';
import type { Strategy, StrategyOutcome } from './strategy.js';

/** MedThink stage 1: screen, explain (answer + numbered knowledge points) and the explanation examples. */
async function stageOneData(context: StrategyContext) {
  const screened = await screen(context);
  const explained = await runTeacherStage(context, 'explain', screened.kept, (item) =>
    context.teacher.explain(item),
  );
  const byId = new Map(context.train.map((item) => [item.id, item]));
  const knowledge = new Map(explained.results.map(({ itemId, value }) => [itemId, value]));
  const examples = explained.results.map(({ itemId, value }) =>
    example(byId.get(itemId)!, 'explanation', value),
  );
  const items = explained.results.map(({ itemId }) => byId.get(itemId)!);
  const failures = [...screened.failures, ...explained.failures];
  return { screened, knowledge, examples, items, failures };
}

export const explanationAugmented: Strategy = {
  name: 'explanation',
  description: 'explanation-augmented fine-tuning (MedThink stage 1 alone)',
  async run(context) {
    const data = await stageOneData(context);
    return trainAndEvaluate(
      context,
      data.examples,
      { droppedByScreening: data.screened.dropped.length, teacherFailures: data.failures.length },
      data.failures.map((failure) => failure.itemId),
    );
  },
};

/**
 * MedThink: stage 1 on explanations, then rounds of error-driven correction. In each round the
 * student answers the stage-1 items, the teacher judges the replies, writes a corrective chain for
 * every error, and the student is retrained from its previous weights on those chains (plus, by
 * default, a replay of the stage-1 examples it already answers right, so it keeps them).
 */
async function runMedThink(context: StrategyContext, maxRounds: number): Promise<StrategyOutcome> {
  const data = await stageOneData(context);
  if (data.examples.length === 0)
    throw noExamplesError(context, 'stage1.train', {
      droppedByScreening: data.screened.dropped.length,
      teacherFailures: data.failures.length,
    });
  const stage1 = await trainStage(context, 'stage1', data.examples, {
    modelPath: context.student.baseModel,
  });
  const evaluations: Evaluation[] = [await evaluateStudent(context, 'stage1', studentFiles(stage1))];
  const training = [{ stage: 'stage1', history: stage1.history }];
  const counts: Record<string, number> = {
    stage1Items: data.examples.length,
    droppedByScreening: data.screened.dropped.length,
  };
  const failedItems = data.failures.map((failure) => failure.itemId);
  const stageOneExample = new Map(data.examples.map((entry) => [entry.meta.itemId, entry]));
  // Each round starts from the previous student: its weights, or with LoRA the base and its adapter.
  let student = studentFiles(stage1);
  let previousErrors = Number.POSITIVE_INFINITY;
  for (let round = 1; round <= maxRounds; round++) {
    const name = maxRounds === 1 ? 'stage2' : `stage2-round${round}`;
    const probe = await studentAnswers(context, `${name}.probe`, student, data.items);
    const judged = await judgeReplies(context, `${name}.judge`, data.items, probe);
    counts[maxRounds === 1 ? 'stage2ErrorItems' : `round${round}ErrorItems`] = judged.wrong.length;
    // Iterating stops once the training error no longer falls, as the iterative variant specifies.
    if (judged.wrong.length === 0 || judged.wrong.length >= previousErrors) break;
    previousErrors = judged.wrong.length;
    const corrections = await correctErrors(
      context,
      `${name}.correct`,
      data.items,
      judged.wrong,
      data.knowledge,
    );
    failedItems.push(...judged.failures.map((f) => f.itemId), ...corrections.failures.map((f) => f.itemId));
    const byId = new Map<string, Item>(data.items.map((item) => [item.id, item]));
    const examples: TrainingExample[] = corrections.results.map(({ itemId, value }) =>
      example(byId.get(itemId)!, 'correction', value),
    );
    if (context.stage2Replay) {
      const wrongIds = new Set(judged.wrong.map((prediction) => prediction.itemId));
      for (const [itemId, entry] of stageOneExample) if (!wrongIds.has(itemId)) examples.push(entry);
    }
    counts[maxRounds === 1 ? 'stage2Examples' : `round${round}Examples`] = examples.length;
    const retrained = await trainStage(
      context,
      name,
      examples,
      student,
      context.student.stage2Hyperparameters ?? context.student.hyperparameters,
    );
    training.push({ stage: name, history: retrained.history });
    student = studentFiles(retrained);
    evaluations.push(await evaluateStudent(context, name, student));
  }
  return {
    strategy: context.strategy,
    seed: context.seed,
    evaluations,
    counts,
    training,
    failedItems: [...new Set(failedItems)],
  };
}

export const medThink: Strategy = {
  name: 'medthink',
  description: 'MedThink: explanation stage, then one round of error-driven corrective chains',
  continuesTraining: true,
  run: (context) => runMedThink(context, 1),
};

export const medThinkIterative: Strategy = {
  name: 'medthink-iterative',
  description: 'MedThink with stage 2 repeated until the training error stops falling',
  continuesTraining: true,
  run: (context) => runMedThink(context, context.rounds),
};
