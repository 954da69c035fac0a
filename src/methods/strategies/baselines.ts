import type { Item } from '../../datasets/item.js';
import { extractAnswer, matchesReference } from '../../eval/extract-answer.js';
import { answerLine } from '../answer-format.js';
import { evaluateStudent } from '../stages/evaluate.js';
import { screen } from '../stages/screen.js';
import { noExamplesError } from '../stages/stage-failure.js';
import { runTeacherStage } from '../stages/teacher-stage.js';
import { trainStage } from '../stages/train.js';
import type { StrategyContext } from '../strategy-context.js';
import { studentFiles } from '../student-files.js';
import { answerExample, example, STEP_BY_STEP_PREFIX, type TrainingExample } from '../training-examples.js';
import { majorityVote } from './majority-vote.js';
import type { Strategy, StrategyOutcome } from './strategy.js';

/** Train on examples, evaluate, and package the outcome: the shape every single-stage strategy shares. */
export async function trainAndEvaluate(
  context: StrategyContext,
  examples: TrainingExample[],
  counts: Record<string, number>,
  failedItems: string[],
  promptPrefix = '',
): Promise<StrategyOutcome> {
  if (examples.length === 0) throw noExamplesError(context, 'student.train', counts);
  const trained = await trainStage(context, 'student', examples, { modelPath: context.student.baseModel });
  const evaluation = await evaluateStudent(context, 'student', studentFiles(trained), promptPrefix);
  return {
    strategy: context.strategy,
    seed: context.seed,
    evaluations: [evaluation],
    counts: { trainingExamples: examples.length, ...counts },
    training: [{ stage: 'student', history: trained.history }],
    failedItems,
  };
}

/** Does a rationale's answer agree with the reference? */
function agrees(item: Item, reply: string): boolean {
  return matchesReference(item, extractAnswer(reply, item));
}

export const zeroShot: Strategy = {
  name: 'zero-shot',
  description: 'the student as it is, without distillation',
  async run(context) {
    const evaluation = await evaluateStudent(context, 'base', { modelPath: context.student.baseModel });
    return {
      strategy: context.strategy,
      seed: context.seed,
      evaluations: [evaluation],
      counts: {},
      training: [],
      failedItems: [],
    };
  },
};

export const goldLabel: Strategy = {
  name: 'gold-label',
  description: 'fine-tuning on the dataset labels, no teacher',
  run: (context) =>
    trainAndEvaluate(
      context,
      context.train.map((item) => answerExample(item, undefined, 'gold')),
      {},
      [],
    ),
};

export const answerOnly: Strategy = {
  name: 'answer-only',
  description: "the teacher's answers as labels",
  async run(context) {
    const screened = await screen(context);
    const byId = new Map(context.train.map((item) => [item.id, item]));
    const examples = [...screened.teacherAnswers].map(([id, key]) =>
      answerExample(byId.get(id)!, key, 'teacher-answer'),
    );
    return trainAndEvaluate(
      context,
      examples,
      { teacherFailures: screened.failures.length },
      screened.failures.map((f) => f.itemId),
    );
  },
};

export const chainOfThought: Strategy = {
  name: 'chain-of-thought',
  description: "the teacher's rationale, then the answer (kept when it reaches the reference)",
  async run(context) {
    const rationales = await runTeacherStage(context, 'rationale', context.train, (item) =>
      context.teacher.rationale(item, 'chain-of-thought'),
    );
    const byId = new Map(context.train.map((item) => [item.id, item]));
    const examples = rationales.results
      .filter(({ itemId, value }) => agrees(byId.get(itemId)!, value))
      .map(({ itemId, value }) => example(byId.get(itemId)!, 'rationale', value));
    return trainAndEvaluate(
      context,
      examples,
      {
        rationalesRejected: rationales.results.length - examples.length,
        teacherFailures: rationales.failures.length,
      },
      rationales.failures.map((f) => f.itemId),
    );
  },
};

export const selfConsistency: Strategy = {
  name: 'self-consistency',
  description:
    'k sampled teacher rationales per item, majority vote; the distinct rationales reaching the majority answer, when it is the reference',
  async run(context) {
    const samples = await runTeacherStage(context, 'rationale-samples', context.train, async (item) => {
      const replies: string[] = [];
      for (let sample = 0; sample < context.samples; sample++) {
        replies.push(await context.teacher.rationale(item, 'chain-of-thought', { sample }));
      }
      return replies;
    });
    const byId = new Map(context.train.map((item) => [item.id, item]));
    const examples: TrainingExample[] = [];
    let rejected = 0;
    let noMajority = 0;
    for (const { itemId, value } of samples.results) {
      const item = byId.get(itemId)!;
      const vote = majorityVote(item, value);
      rejected += vote.rejected;
      if (vote.majority === undefined) noMajority++;
      for (const reply of vote.kept) examples.push(example(item, 'consistent-rationale', reply));
    }
    return trainAndEvaluate(
      context,
      examples,
      {
        samplesPerItem: context.samples,
        rationalesRejected: rejected,
        itemsWithoutMajority: noMajority,
        teacherFailures: samples.failures.length,
      },
      samples.failures.map((f) => f.itemId),
    );
  },
};

export const stepByStep: Strategy = {
  name: 'step-by-step',
  description: 'Distilling step-by-step: label and rationale as two tasks with task prefixes',
  async run(context) {
    const rationales = await runTeacherStage(context, 'rationale-task', context.train, (item) =>
      context.teacher.rationale(item, 'step-by-step'),
    );
    const byId = new Map(context.train.map((item) => [item.id, item]));
    const examples = [
      ...context.train.map((item) =>
        example(item, 'label-task', answerLine(item), STEP_BY_STEP_PREFIX.label),
      ),
      ...rationales.results.map(({ itemId, value }) =>
        example(byId.get(itemId)!, 'rationale-task', value, STEP_BY_STEP_PREFIX.rationale),
      ),
    ];
    return trainAndEvaluate(
      context,
      examples,
      { teacherFailures: rationales.failures.length },
      rationales.failures.map((f) => f.itemId),
      STEP_BY_STEP_PREFIX.label,
    );
  },
};
