import { describe, expect, it } from 'vitest';
import { exactMcNemarTest } from '../eval/statistics/mcnemar.js';
import { pairwiseComparisons } from './build-run-report.js';
import { compareRuns } from './compare-runs.js';
import { type RunReport, runReportSchema, type StrategyResult } from './run-report.js';

function strategy(name: string, outcomes: Record<string, boolean>): StrategyResult {
  const entries = Object.entries(outcomes);
  const correct = entries.filter(([, value]) => value).length;
  return {
    name,
    n: entries.length,
    correct,
    accuracy: correct / entries.length,
    ci95: [0, 1],
    outcomes: entries.map(([itemId, value]) => ({ itemId, correct: value, prediction: value ? 'A' : 'B' })),
  };
}

function run(title: string, strategies: StrategyResult[]): RunReport {
  return runReportSchema.parse({ schemaVersion: 1, title, createdAt: '2025-01-01T00:00:00Z', strategies });
}

// 14 shared items: A right only on 1 of them, B right only on 9, both right on 2, both wrong on 2.
const shared = Array.from({ length: 14 }, (_, index) => `q${index}`);
const outcomesA = Object.fromEntries(
  shared.map((id, index) => [id, index === 0 || index === 10 || index === 11]),
);
const outcomesB = Object.fromEntries(shared.map((id, index) => [id, index >= 1 && index <= 11]));

describe('compareRuns', () => {
  it('pairs the only strategy of each run on shared item ids and tests them exactly', () => {
    const a = run('baseline run', [
      strategy('answer-only', { ...outcomesA, onlyInA1: true, onlyInA2: false }),
    ]);
    const b = run('medthink run', [strategy('medthink', { ...outcomesB, onlyInB: true })]);
    const { pairs } = compareRuns(a, b, { bootstrap: { resamples: 500 } });
    expect(pairs).toHaveLength(1);
    const pair = pairs[0]!;
    expect(pair).toMatchObject({
      n: 14,
      onlyACorrect: 1,
      onlyBCorrect: 9,
      bothCorrect: 2,
      bothWrong: 2,
      onlyInA: 2,
      onlyInB: 1,
    });
    // 2 * P(X <= 1), X ~ Bin(10, 1/2) = 2 * 11 / 1024.
    expect(pair.pValue).toBeCloseTo(22 / 1024, 12);
    expect(pair.pValue).toBe(exactMcNemarTest(1, 9).pValue);
    expect(pair.pValueHolm).toBe(pair.pValue);
    expect(pair.difference).toBeCloseTo((3 - 11) / 14, 12);
    expect(pair.a).toBe('baseline run: answer-only');
  });

  it('pairs strategies by label when runs share them, Holm-adjusting across pairs', () => {
    const a = run('seed 1', [strategy('x', outcomesA), strategy('y', outcomesB)]);
    const b = run('seed 2', [strategy('x', outcomesB), strategy('y', outcomesB)]);
    const { pairs } = compareRuns(a, b, { bootstrap: { resamples: 200 } });
    expect(pairs.map((pair) => [pair.a, pair.b])).toEqual([
      ['seed 1: x', 'seed 2: x'],
      ['seed 1: y', 'seed 2: y'],
    ]);
    // y vs y never disagrees: p = 1; x vs x as above; Holm: min(1, 2 * 22/1024).
    expect(pairs[1]?.pValue).toBe(1);
    expect(pairs[0]?.pValueHolm).toBeCloseTo(44 / 1024, 12);
  });

  it('refuses ambiguous or impossible pairings with a clear message', () => {
    const a = run('a', [strategy('x', outcomesA), strategy('y', outcomesB)]);
    const b = run('b', [strategy('z', outcomesB), strategy('w', outcomesB)]);
    expect(() => compareRuns(a, b)).toThrow(/share no strategy/);
    expect(() => compareRuns(a, b, { strategyA: 'x', strategyB: 'nope' })).toThrow(/has no strategy "nope"/);
    const disjoint = run('c', [strategy('x', { other: true })]);
    expect(() => compareRuns(run('d', [strategy('x', outcomesA)]), disjoint)).toThrow(/share no item ids/);
  });
});

describe('pairwiseComparisons', () => {
  it('compares every pair within a run and applies Holm across them', () => {
    const strategies = [strategy('a', outcomesA), strategy('b', outcomesB), strategy('c', outcomesB)];
    const comparisons = pairwiseComparisons(strategies, { resamples: 200 });
    expect(comparisons.map((comparison) => `${comparison.a}/${comparison.b}`)).toEqual(['a/b', 'a/c', 'b/c']);
    // Raw p: 22/1024, 22/1024, 1. Holm: 3 * 22/1024, max(that, 2 * 22/1024), 1.
    expect(comparisons.map((comparison) => comparison.pValueHolm)).toEqual([
      expect.closeTo(66 / 1024, 12),
      expect.closeTo(66 / 1024, 12),
      1,
    ]);
  });
});
