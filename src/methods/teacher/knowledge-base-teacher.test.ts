import { describe, expect, it } from 'vitest';
import { buildBenchmark, KnowledgeTeacher } from '../../benchmark/index.js';
import type { MultipleChoiceItem } from '../../datasets/item.js';
import { extractAnswer } from '../../eval/extract-answer.js';
import { answerLine } from '../answer-format.js';
import { majorityVote } from '../strategies/majority-vote.js';
import { KnowledgeBaseTeacher } from './knowledge-base-teacher.js';

const benchmark = buildBenchmark({ seed: 5, conditionCount: 16 });
const knowledge = new KnowledgeTeacher(benchmark.knowledgeBase);
// Items the knowledge base reads and labels correctly, so a wrong answer can only be a slip.
const items = benchmark.train.filter(
  (item) => !benchmark.mislabeledIds.has(item.id) && knowledge.answer(item) === item.answerKey,
);

async function samples(teacher: KnowledgeBaseTeacher, item: MultipleChoiceItem, k: number) {
  const replies: string[] = [];
  for (let sample = 0; sample < k; sample++)
    replies.push(await teacher.rationale(item, 'chain-of-thought', { sample }));
  return replies;
}

describe('KnowledgeBaseTeacher sampling', () => {
  it('keeps temperature 0 and unnumbered calls deterministic, as before sampling', async () => {
    const cold = new KnowledgeBaseTeacher(knowledge, { temperature: 0 });
    const warm = new KnowledgeBaseTeacher(knowledge);
    for (const item of items.slice(0, 20)) {
      const chain = await cold.rationale(item, 'chain-of-thought');
      expect(await samples(cold, item, 5)).toEqual(Array(5).fill(chain));
      expect(await warm.rationale(item, 'chain-of-thought')).toBe(chain);
      expect(extractAnswer(chain, item)).toBe(item.answerKey);
    }
  });

  it('draws differing samples, the same ones again for the same seed, others for another seed', async () => {
    const teacher = new KnowledgeBaseTeacher(knowledge, { seed: 3 });
    let distinct = 0;
    for (const item of items.slice(0, 50)) {
      const replies = await samples(teacher, item, 5);
      distinct += new Set(replies).size;
      expect(await samples(new KnowledgeBaseTeacher(knowledge, { seed: 3 }), item, 5)).toEqual(replies);
    }
    // Five samples of fifty items: most items get several different rationales.
    expect(distinct / 50).toBeGreaterThan(2.5);
    const item = items[0]!;
    const other = await samples(new KnowledgeBaseTeacher(knowledge, { seed: 4 }), item, 5);
    expect(other).not.toEqual(await samples(new KnowledgeBaseTeacher(knowledge, { seed: 3 }), item, 5));
  });

  it('slips at the set rate: a wrong intermediate condition and a wrong answer', async () => {
    for (const slipRate of [0.2, 0.5]) {
      const teacher = new KnowledgeBaseTeacher(knowledge, { slipRate, seed: 9 });
      let wrong = 0;
      let total = 0;
      for (const item of items) {
        for (const reply of await samples(teacher, item, 5)) {
          total++;
          if (extractAnswer(reply, item) !== item.answerKey) {
            wrong++;
            // The slip is in the chain: the condition it names is not the item's.
            const condition = benchmark.knowledgeBase.condition(benchmark.truth.get(item.id)!.conditionId);
            expect(reply).not.toContain(`indicate ${condition.name} .`);
          }
        }
      }
      // Binomial SD of the rate over ~2,000 draws is about 0.01.
      expect(total).toBeGreaterThan(1500);
      expect(Math.abs(wrong / total - slipRate)).toBeLessThan(0.04);
    }
  });

  it('lets the majority vote drop the slipped rationales', async () => {
    const teacher = new KnowledgeBaseTeacher(knowledge, { seed: 2 });
    let slipped = 0;
    for (const item of items.slice(0, 200)) {
      const replies = await samples(teacher, item, 5);
      const vote = majorityVote(item, replies);
      for (const reply of vote.kept) expect(extractAnswer(reply, item)).toBe(item.answerKey);
      const wrongReplies = replies.filter((reply) => extractAnswer(reply, item) !== item.answerKey);
      slipped += wrongReplies.length;
      for (const reply of wrongReplies) expect(vote.kept).not.toContain(reply);
      expect(vote.kept.length + vote.rejected).toBe(5);
    }
    expect(slipped).toBeGreaterThan(100);
  });

  it('keeps nothing when the majority misses the reference or the top answers tie', () => {
    const item = items[0]!;
    const other = item.options.find((option) => option.key !== item.answerKey)!;
    const right = `reasoning\n${answerLine(item)}`;
    const wrong = `reasoning\n${answerLine(item, other.key)}`;
    expect(majorityVote(item, [wrong, wrong, right]).kept).toEqual([]);
    expect(majorityVote(item, [wrong, right])).toMatchObject({ majority: undefined, kept: [] });
    expect(majorityVote(item, [right, right, wrong])).toMatchObject({
      majority: item.answerKey,
      kept: [right],
      rejected: 2,
    });
  });
});
