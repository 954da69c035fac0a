import { describe, expect, it } from 'vitest';
import { multipleChoiceItemSchema } from '../datasets/item.js';
import { ConfigError } from '../errors.js';
import { singleFindingShortcutAccuracy } from './benchmark-stats.js';
import { buildBenchmark } from './generate.js';
import { defaultKnowledgeBase } from './knowledge-base.js';
import { vignetteTemplates } from './vignette-templates.js';

const benchmark = buildBenchmark({ seed: 7 });
const pairKey = (findings: readonly string[]) => [...findings].sort().join(' + ');

function truthOf(id: string) {
  const truth = benchmark.truth.get(id);
  if (!truth) throw new Error(`no truth for ${id}`);
  return truth;
}

describe('buildBenchmark', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const again = buildBenchmark({ seed: 7 });
    expect(again.train).toEqual(benchmark.train);
    expect(again.test).toEqual(benchmark.test);
    expect([...again.mislabeledIds]).toEqual([...benchmark.mislabeledIds]);
    const other = buildBenchmark({ seed: 8 });
    expect(other.train.map((item) => item.question)).not.toEqual(
      benchmark.train.map((item) => item.question),
    );
  });

  it('builds conditions x pairs x vignettes items at the default sizes', () => {
    const conditions = defaultKnowledgeBase().conditions.length;
    expect(benchmark.options).toMatchObject({
      trainPairsPerCondition: 4,
      testPairsPerCondition: 2,
      templateCount: 3,
    });
    expect(benchmark.train).toHaveLength(conditions * 4 * 8);
    expect(benchmark.test).toHaveLength(conditions * 2 * 4);
    const ids = [...benchmark.train, ...benchmark.test].map((item) => item.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('produces valid multiple-choice items whose question names exactly the two recorded findings', () => {
    for (const item of [...benchmark.train, ...benchmark.test]) {
      expect(multipleChoiceItemSchema.safeParse(item).success).toBe(true);
      expect(benchmark.knowledgeBase.findingsIn(item.question)).toEqual([...truthOf(item.id).findings]);
    }
  });

  it('never puts a test finding combination in training', () => {
    const trainPairs = new Set(
      benchmark.train.map((item) => pairKey(benchmark.knowledgeBase.findingsIn(item.question))),
    );
    for (const item of benchmark.test) {
      expect(trainPairs.has(pairKey(benchmark.knowledgeBase.findingsIn(item.question)))).toBe(false);
    }
  });

  it('uses pairs that identify their condition, of findings each shared with a look-alike', () => {
    for (const item of [...benchmark.train, ...benchmark.test]) {
      const truth = truthOf(item.id);
      const matching = benchmark.knowledgeBase.conditionsWithAllFindings(truth.findings);
      expect(matching.map((condition) => condition.id)).toEqual([truth.conditionId]);
      for (const finding of truth.findings) {
        expect(benchmark.knowledgeBase.conditionsWithFinding(finding).length).toBeGreaterThan(1);
      }
    }
  });

  it('shows every finding of a condition in training, with that condition', () => {
    const seen = new Set<string>();
    for (const item of benchmark.train) {
      const truth = truthOf(item.id);
      for (const finding of truth.findings) seen.add(`${truth.conditionId}: ${finding}`);
    }
    for (const condition of benchmark.knowledgeBase.conditions) {
      for (const finding of condition.findings) expect(seen).toContain(`${condition.id}: ${finding}`);
    }
  });

  it('offers the management, a look-alike for each finding and one unrelated option', () => {
    for (const item of benchmark.test) {
      const truth = truthOf(item.id);
      const texts = item.options.map((option) => option.text);
      expect(new Set(texts).size).toBe(4);
      const conditions = Object.values(truth.optionConditionIds).map((id) =>
        benchmark.knowledgeBase.condition(id),
      );
      expect(conditions.map((condition) => condition.id)).toContain(truth.conditionId);
      for (const finding of truth.findings) {
        const sharers = conditions.filter((condition) => condition.findings.includes(finding));
        expect(sharers).toHaveLength(2);
      }
      const unrelated = conditions.filter(
        (condition) => !truth.findings.some((f) => condition.findings.includes(f)),
      );
      expect(unrelated).toHaveLength(1);
    }
  });

  it('spreads the correct answer over the option positions', () => {
    for (const key of ['A', 'B', 'C', 'D']) {
      const share = benchmark.test.filter((item) => item.answerKey === key).length / benchmark.test.length;
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.35);
    }
  });

  it('mislabels about 8% of training items, only in training, always with a look-alike option', () => {
    const share = benchmark.mislabeledIds.size / benchmark.train.length;
    expect(Math.abs(share - 0.08)).toBeLessThan(0.005);
    const testIds = new Set(benchmark.test.map((item) => item.id));
    for (const id of benchmark.mislabeledIds) expect(testIds.has(id)).toBe(false);
    for (const item of benchmark.train) {
      const truth = truthOf(item.id);
      if (!benchmark.mislabeledIds.has(item.id)) {
        expect(item.answerKey).toBe(truth.correctKey);
        continue;
      }
      expect(item.answerKey).not.toBe(truth.correctKey);
      const labelled = benchmark.knowledgeBase.condition(truth.optionConditionIds[item.answerKey] ?? '');
      expect(truth.findings.some((finding) => labelled.findings.includes(finding))).toBe(true);
    }
    for (const item of benchmark.test) expect(item.answerKey).toBe(truthOf(item.id).correctKey);
  });

  it('honours the mislabeled share, template count and vignette counts', () => {
    const small = buildBenchmark({
      seed: 3,
      mislabeledShare: 0,
      templateCount: 1,
      trainVignettesPerPair: 2,
      testVignettesPerPair: 1,
    });
    expect(small.mislabeledIds.size).toBe(0);
    expect(new Set([...small.truth.values()].map((truth) => truth.templateIndex))).toEqual(new Set([0]));
    expect(small.train).toHaveLength(small.knowledgeBase.conditions.length * 4 * 2);
    const all = buildBenchmark({
      seed: 3,
      templateCount: vignetteTemplates.length,
      trainVignettesPerPair: 2,
    });
    expect(new Set([...all.truth.values()].map((truth) => truth.templateIndex)).size).toBe(
      vignetteTemplates.length,
    );
  });

  it('builds a smaller benchmark from a connected group of look-alikes', () => {
    const small = buildBenchmark({ seed: 5, conditionCount: 20 });
    expect(small.knowledgeBase.conditions).toHaveLength(20);
    const ids = new Set(small.knowledgeBase.conditions.map((condition) => condition.id));
    const connected = small.knowledgeBase.conditions.filter((condition) =>
      small.knowledgeBase.lookAlikes(condition.id).some((lookAlike) => ids.has(lookAlike.condition.id)),
    );
    expect(connected).toHaveLength(20);
    for (const item of small.test) {
      const truth = small.truth.get(item.id);
      expect(truth && small.knowledgeBase.conditionsWithAllFindings(truth.findings)).toHaveLength(1);
    }
  });

  it('leaves a one-finding reader at about half, well above chance and below full marks', () => {
    const shortcut = singleFindingShortcutAccuracy(benchmark, 'test');
    expect(shortcut).toBeGreaterThan(0.25);
    expect(shortcut).toBeLessThanOrEqual(0.5 + 1e-9);
  });

  it('rejects impossible or misspelt options with a ConfigError', () => {
    expect(() => buildBenchmark({ trainPairsPerCondition: 8, testPairsPerCondition: 4 })).toThrow(
      ConfigError,
    );
    expect(() => buildBenchmark({ conditionCount: 500 })).toThrow(/conditionCount/);
    expect(() => buildBenchmark({ seed: -1 })).toThrow(ConfigError);
    expect(() => buildBenchmark({ seeds: 1 } as never)).toThrow(ConfigError);
  });
});
