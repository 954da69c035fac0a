import type { Item } from '../../datasets/item.js';
import { ConfigError } from '../../errors.js';
import { extractAnswer, matchesReference } from '../../eval/extract-answer.js';
import { splitRationale } from '../../vision/cot-vl.js';
import { answerLine } from '../answer-format.js';
import { runTeacherStage } from '../stages/teacher-stage.js';
import type { StrategyContext } from '../strategy-context.js';
import { example, type TrainingExample } from '../training-examples.js';
import { trainAndEvaluate } from './baselines.js';
import type { Strategy, StrategyOutcome } from './strategy.js';

/**
 * LiteMedCoT-VL: the teacher looks at each training image and writes a chain of thought; up to
 * `samples` replies are drawn per item and the first whose answer agrees with the reference is
 * kept (as src/vision/cot-vl.ts filters), so the student never learns a chain that ends somewhere
 * wrong, and a planted label error the teacher disagrees with drops out. The student is trained
 * on image + question -> rationale + answer and evaluated on the image without the caption.
 */
async function runCotVl(context: StrategyContext): Promise<StrategyOutcome> {
  if (!context.vision) throw new ConfigError(`${context.strategy} needs image data (items with images)`);
  const replies = await runTeacherStage(context, 'visual-rationale', context.train, async (item) => {
    const drawn: string[] = [];
    for (let sample = 0; sample < context.samples; sample++) {
      const reply = await context.teacher.rationale(item, 'chain-of-thought', { sample });
      drawn.push(reply);
      if (agrees(item, reply)) break;
    }
    return drawn;
  });
  const byId = new Map(context.train.map((item) => [item.id, item]));
  const examples: TrainingExample[] = [];
  let rejected = 0;
  for (const { itemId, value } of replies.results) {
    const item = byId.get(itemId)!;
    const kept = value.find((reply) => agrees(item, reply));
    rejected += value.filter((reply) => !agrees(item, reply)).length;
    const rationale = kept === undefined ? '' : splitRationale(stripAnswerLine(kept));
    if (kept !== undefined && rationale.length > 0)
      examples.push(example(item, 'visual-rationale', `${rationale}\n${answerLine(item)}`));
  }
  return trainAndEvaluate(
    context,
    examples,
    {
      samplesPerItem: context.samples,
      rationalesRejected: rejected,
      itemsWithoutRationale: replies.results.length - examples.length,
      teacherFailures: replies.failures.length,
    },
    replies.failures.map((failure) => failure.itemId),
  );
}

/** Does a reply's answer agree with the reference? */
function agrees(item: Item, reply: string): boolean {
  return matchesReference(item, extractAnswer(reply, item));
}

/** The reasoning without a trailing `Answer: ...` line (the target gets the reference's own line). */
function stripAnswerLine(reply: string): string {
  return reply.replace(/\n\s*Answer:[^\n]*\s*$/i, '');
}

export const cotVl: Strategy = {
  name: 'cot-vl',
  description:
    "LiteMedCoT-VL: the teacher's image-grounded rationale, kept when it agrees with the reference; captions withheld",
  run: runCotVl,
};

export const cotVlCaptions: Strategy = {
  name: 'cot-vl-captions',
  description:
    'caption ablation: CoT-VL with the scene description in the prompt, in training and evaluation',
  run: (context) =>
    runCotVl({
      ...context,
      ...(context.vision ? { vision: { ...context.vision, withCaptions: true } } : {}),
    }),
};
