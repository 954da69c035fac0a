import type { Option } from '../datasets/item.js';
import type { Condition, KnowledgeBase } from './knowledge-base.js';
import type { SeededRandom } from './seeded-random.js';

export const optionKeys: readonly string[] = ['A', 'B', 'C', 'D'];

export interface VignetteOptions {
  readonly options: Option[];
  readonly correctKey: string;
  readonly optionConditionIds: Record<string, string>;
}

/**
 * Four options: the condition's management, the management of one look-alike per finding (a
 * condition that shares that finding: the plausible distractor a one-finding reader falls for),
 * and one unrelated management; shuffled. Where a finding has no look-alike in the knowledge base
 * in use, an unrelated management takes its place.
 */
export function buildVignetteOptions(
  knowledgeBase: KnowledgeBase,
  condition: Condition,
  findings: readonly string[],
  random: SeededRandom,
): VignetteOptions {
  const chosen: Condition[] = [condition];
  for (const finding of findings) {
    const sharers = knowledgeBase.conditionsWithFinding(finding).filter((other) => !chosen.includes(other));
    if (sharers.length > 0) chosen.push(random.pick(sharers));
  }
  while (chosen.length < optionKeys.length) {
    const others = knowledgeBase.conditions.filter((other) => !chosen.includes(other));
    const unrelated = others.filter((other) => !findings.some((finding) => other.findings.includes(finding)));
    chosen.push(random.pick(unrelated.length > 0 ? unrelated : others));
  }
  const shuffled = random.shuffle(chosen);
  const options: Option[] = [];
  const optionConditionIds: Record<string, string> = {};
  let correctKey = '';
  shuffled.forEach((choice, index) => {
    const key = optionKeys[index] as string;
    options.push({ key, text: choice.management });
    optionConditionIds[key] = choice.id;
    if (choice === condition) correctKey = key;
  });
  return { options, correctKey, optionConditionIds };
}
