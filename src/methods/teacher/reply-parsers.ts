import type { Item } from '../../datasets/item.js';
import { extractAnswer, matchesReference } from '../../eval/extract-answer.js';
import { answerText } from '../answer-format.js';

/** Reply checks for each role: a reply that fails its check is retried, then the item fails. */

/** MedThink's judge answers a single token: 1 correct, 2 wrong. */
export function parseJudgement(reply: string): boolean | undefined {
  const match = /[12]/.exec(reply.trim());
  if (!match) return undefined;
  return match[0] === '1';
}

/** An explanation must state an answer and give at least one numbered knowledge point. */
export function checkExplanation(reply: string): string | undefined {
  if (!/Answer:/i.test(reply)) return 'no "Answer:" line';
  if (!/^\s*1[.)、]/m.test(reply)) return 'no numbered knowledge points';
  return undefined;
}

/** A corrective chain must end in the correct answer. */
export function checkCorrection(item: Item, reply: string): string | undefined {
  const given = extractAnswer(reply, item);
  if (item.kind === 'open-ended') {
    return given?.toLowerCase().includes(answerText(item).toLowerCase().slice(0, 20))
      ? undefined
      : 'does not end in the reference answer';
  }
  const expected = item.kind === 'multiple-choice' ? item.answerKey : item.answer;
  return matchesReference(item, given) ? undefined : `ends in ${given ?? 'no answer'}, not ${expected}`;
}
