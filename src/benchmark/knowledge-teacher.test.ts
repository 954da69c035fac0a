import { describe, expect, it } from 'vitest';
import type { MultipleChoiceItem } from '../datasets/item.js';
import { ConfigError, InputError } from '../errors.js';
import { canonicalReasoningChain } from './canonical-chain.js';
import { benchmarkWords } from './corpus.js';
import { buildBenchmark } from './generate.js';
import { KnowledgeTeacher } from './knowledge-teacher.js';

const benchmark = buildBenchmark({ seed: 11 });
const teacher = new KnowledgeTeacher(benchmark.knowledgeBase);
const sample = benchmark.train.slice(0, 200);

function truthOf(item: MultipleChoiceItem) {
  const truth = benchmark.truth.get(item.id);
  if (!truth) throw new Error(`no truth for ${item.id}`);
  return truth;
}

/** The item as a model-facing caller would pass it, but reading `answerKey` throws. */
function withoutLabel(item: MultipleChoiceItem): MultipleChoiceItem {
  return new Proxy(item, {
    get(target, property, receiver) {
      if (property === 'answerKey') throw new Error('the teacher read the label');
      return Reflect.get(target, property, receiver);
    },
  });
}

describe('KnowledgeTeacher.answer (screening)', () => {
  it('answers every item as the knowledge base implies', () => {
    for (const item of [...benchmark.train, ...benchmark.test])
      expect(teacher.answer(item)).toBe(truthOf(item).correctKey);
  });

  it('disagrees with the reference exactly on the mislabeled training items', () => {
    const disagreements = benchmark.train
      .filter((item) => teacher.answer(item) !== item.answerKey)
      .map((item) => item.id);
    expect(new Set(disagreements)).toEqual(benchmark.mislabeledIds);
  });

  it('cannot answer a question the knowledge base says nothing about', () => {
    const foreign: MultipleChoiceItem = {
      kind: 'multiple-choice',
      id: 'foreign-1',
      question: 'Which vitamin deficiency causes scurvy ?',
      options: [
        { key: 'A', text: 'vitamin C' },
        { key: 'B', text: 'vitamin D' },
      ],
      answerKey: 'A',
    };
    expect(teacher.answer(foreign)).toBeUndefined();
    expect(() => teacher.explain(foreign)).toThrow(InputError);
  });
});

describe('the teacher never reads labels outside the judge role', () => {
  it('answers, explains, reasons and corrects without touching answerKey', () => {
    for (const item of benchmark.test.slice(0, 50)) {
      const blind = withoutLabel(item);
      expect(teacher.answer(blind)).toBe(teacher.answer(item));
      expect(teacher.explain(blind)).toBe(teacher.explain(item));
      expect(teacher.rationale(blind)).toEqual(teacher.rationale(item));
      expect(teacher.correct(blind, 'The answer is A .', 'points')).toEqual(
        teacher.correct(item, 'The answer is A .', 'points'),
      );
    }
  });

  it('gives the same outputs for a test item whose answerKey is corrupted', () => {
    for (const item of benchmark.test.slice(0, 50)) {
      const wrongKey = item.options.find((option) => option.key !== item.answerKey)?.key ?? 'A';
      const corrupted = { ...item, answerKey: wrongKey };
      expect(teacher.answer(corrupted)).toBe(teacher.answer(item));
      expect(teacher.explain(corrupted)).toBe(teacher.explain(item));
      expect(teacher.rationale(corrupted)).toEqual(teacher.rationale(item));
    }
  });
});

describe('KnowledgeTeacher.explain (stage 1)', () => {
  it('starts with the answer and cites the condition, its management and the look-alikes', () => {
    for (const item of sample) {
      const truth = truthOf(item);
      const condition = benchmark.knowledgeBase.condition(truth.conditionId);
      const explanation = teacher.explain(item);
      expect(explanation.startsWith(`The answer is ${truth.correctKey} . Knowledge points : 1 .`)).toBe(true);
      expect(explanation).toContain(`indicate ${condition.name} .`);
      expect(explanation).toContain(`${condition.name} is managed with ${condition.management} .`);
      for (const [key, conditionId] of Object.entries(truth.optionConditionIds)) {
        const other = benchmark.knowledgeBase.condition(conditionId);
        const sharesFinding = truth.findings.some((finding) => other.findings.includes(finding));
        if (key !== truth.correctKey && sharesFinding) expect(explanation).toContain(`${other.name} lacks`);
      }
    }
  });
});

describe('KnowledgeTeacher.judge (stage 2)', () => {
  it('compares the extracted answer with the reference and gives MedThink tokens', () => {
    const item = benchmark.test[0] as MultipleChoiceItem;
    const wrong = item.options.find((option) => option.key !== item.answerKey)?.key ?? '';
    expect(teacher.judge(item, `... The answer is ${item.answerKey} .`)).toEqual({
      verdict: 'correct',
      token: '1',
      studentKey: item.answerKey,
    });
    expect(teacher.judge(item, `The answer is ${wrong} .`)).toMatchObject({ verdict: 'wrong', token: '2' });
    expect(teacher.judge(item, 'I am not sure.')).toMatchObject({ verdict: 'wrong', studentKey: undefined });
  });

  it('judges against the reference, so a knowledge-correct reply to a mislabeled item is wrong', () => {
    const mislabeled = benchmark.train.find((item) =>
      benchmark.mislabeledIds.has(item.id),
    ) as MultipleChoiceItem;
    expect(teacher.judge(mislabeled, `The answer is ${truthOf(mislabeled).correctKey} .`).verdict).toBe(
      'wrong',
    );
  });
});

describe('KnowledgeTeacher.correct (stage 2)', () => {
  it('names the confused look-alike and the finding it shares, then reaches the right answer', () => {
    let lookAlikeCases = 0;
    for (const item of sample) {
      const truth = truthOf(item);
      const knowledge = teacher.explain(item);
      for (const option of item.options) {
        if (option.key === truth.correctKey) continue;
        const correction = teacher.correct(item, `The answer is ${option.key} .`, knowledge);
        const confused = benchmark.knowledgeBase.condition(truth.optionConditionIds[option.key] ?? '');
        const shared = truth.findings.filter((finding) => confused.findings.includes(finding));
        expect(correction.chain.startsWith('From the knowledge points we can infer that')).toBe(true);
        expect(correction.chain).toContain(`option ${option.key} treats ${confused.name} ,`);
        expect(correction.chain.endsWith(`In summary , the answer is ${truth.correctKey} .`)).toBe(true);
        expect(correction.text).toBe(`${knowledge} ${correction.chain}`);
        expect(correction.confusedConditionId).toBe(confused.id);
        if (shared.length > 0) {
          lookAlikeCases++;
          const missing = truth.findings.filter((finding) => !shared.includes(finding));
          expect(correction.misreadFinding).toBe(shared[0]);
          expect(correction.chain).toContain(`which has ${shared[0]} but not ${missing[0]} .`);
        } else {
          expect(correction.misreadFinding).toBeUndefined();
          expect(correction.chain).toContain(
            `which has neither ${truth.findings[0]} nor ${truth.findings[1]} .`,
          );
        }
      }
    }
    expect(lookAlikeCases).toBeGreaterThan(sample.length);
  });

  it('handles a reply with no answer, or the right one', () => {
    const item = sample[0] as MultipleChoiceItem;
    const key = truthOf(item).correctKey;
    expect(teacher.correct(item, 'no idea').chain).toContain('the reply gives no answer .');
    expect(teacher.correct(item, `The answer is ${key} .`).chain).toContain(
      `option ${key} fits all findings .`,
    );
  });
});

describe('KnowledgeTeacher.rationale', () => {
  it('gives the canonical chain as rationale, with the answer as label and at the end of the chain of thought', () => {
    for (const item of sample) {
      const { chainOfThought, rationale, label } = teacher.rationale(item);
      expect(rationale).toBe(canonicalReasoningChain(benchmark, item.id));
      expect(label).toBe(`The answer is ${truthOf(item).correctKey} .`);
      expect(chainOfThought).toBe(`${rationale} ${label}`);
    }
  });
});

describe('teacher outputs stay short enough for a tiny student', () => {
  it('keeps every single target at about sixty words or fewer', () => {
    for (const item of benchmark.train) {
      expect(benchmarkWords(teacher.explain(item)).length).toBeLessThanOrEqual(60);
      expect(benchmarkWords(teacher.rationale(item).chainOfThought).length).toBeLessThanOrEqual(40);
      for (const option of item.options) {
        expect(
          benchmarkWords(teacher.correct(item, `The answer is ${option.key} .`).chain).length,
        ).toBeLessThanOrEqual(65);
      }
    }
  });
});

it('accepts only English output', () => {
  expect(new KnowledgeTeacher(benchmark.knowledgeBase, { language: 'english' }).language).toBe('english');
  expect(() => new KnowledgeTeacher(benchmark.knowledgeBase, { language: 'chinese' } as never)).toThrow(
    ConfigError,
  );
});
