import { describe, expect, it } from 'vitest';
import type { MultipleChoiceItem } from '../../datasets/item.js';
import { exactMcNemarTest } from '../../eval/statistics/mcnemar.js';
import { wilsonInterval } from '../../eval/statistics/wilson-interval.js';
import { renderHtmlReport } from '../../report/render-html-report.js';
import { renderMarkdownReport } from '../../report/render-markdown-report.js';
import { runReportSchema } from '../../report/run-report.js';
import { seededRandom } from '../../util/seeded-random.js';
import type { StrategyOutcome } from '../strategies/strategy.js';
import { buildRunReport } from './build-report.js';
import { summarise } from './results.js';

const items: MultipleChoiceItem[] = Array.from({ length: 60 }, (_, index) => ({
  kind: 'multiple-choice',
  id: `item-${index}`,
  question: `question ${index}`,
  options: [
    { key: 'A', text: 'one' },
    { key: 'B', text: 'two' },
  ],
  answerKey: 'A',
}));

function outcome(strategy: string, seed: number, correct: readonly boolean[]): StrategyOutcome {
  return {
    strategy,
    seed,
    evaluations: [
      {
        stage: 'student',
        modelPath: 'model.gguf',
        correct: correct.filter(Boolean).length,
        total: correct.length,
        predictions: correct.map((value, index) => ({
          itemId: items[index]!.id,
          reply: value ? 'A' : 'B',
          answer: value ? 'A' : 'B',
          correct: value,
        })),
      },
    ],
    counts: {},
    training: [],
    failedItems: [],
  };
}

function randomRow(rate: number, seed: number): boolean[] {
  const random = seededRandom(seed);
  return items.map(() => random() < rate);
}

function run(rows: { medthink: boolean[][]; baseline: boolean[][] }) {
  const seeds = rows.medthink.map((_, index) => index + 1);
  const outcomes = new Map([
    ['baseline', rows.baseline.map((row, index) => outcome('baseline', index + 1, row))],
    ['medthink', rows.medthink.map((row, index) => outcome('medthink', index + 1, row))],
  ]);
  const results = summarise({
    name: 'test',
    outcomes,
    errors: new Map(),
    descriptions: new Map([
      ['baseline', 'b'],
      ['medthink', 'm'],
    ]),
    seeds,
    trainFor: () => [],
    testFor: () => items,
    perSeedDraws: false,
    reference: 'medthink',
  });
  return { results, report: buildRunReport({ results, outcomes, test: items, reference: 'medthink' }) };
}

describe('summarise over seeds', () => {
  const good = randomRow(0.75, 1);
  const weak = randomRow(0.5, 2);

  it('keeps the Wilson interval and exact McNemar test for one seed, and adds no seed section', () => {
    const { results, report } = run({ medthink: [good], baseline: [weak] });
    const medthink = results.strategies.find((strategy) => strategy.strategy === 'medthink')!;
    const correct = good.filter(Boolean).length;
    expect(results.statistics.design).toBe('single-seed');
    expect(medthink.ci95).toEqual(wilsonInterval(correct, 60));
    const onlyA = good.filter((value, index) => value && !weak[index]).length;
    const onlyB = good.filter((value, index) => !value && weak[index]).length;
    expect(results.comparisons[0]!.pValue).toBe(exactMcNemarTest(onlyA, onlyB).pValue);
    expect(report.seedSummaries).toBeUndefined();
    expect(renderMarkdownReport(report)).not.toContain('## Over seeds');
  });

  it('gives three copied seeds no narrower interval and no smaller p than one seed', () => {
    const one = run({ medthink: [good], baseline: [weak] }).results;
    const three = run({ medthink: [good, good, good], baseline: [weak, weak, weak] }).results;
    expect(three.statistics.design).toBe('shared-items');
    for (const [index, strategy] of three.strategies.entries()) {
      const single = one.strategies[index]!;
      expect(strategy.ci95[1] - strategy.ci95[0]).toBeGreaterThanOrEqual(
        single.ci95[1] - single.ci95[0] - 1e-12,
      );
      expect(strategy.spread.sd).toBeCloseTo(0, 12);
    }
    expect(three.comparisons[0]!.n).toBe(60);
    expect(three.comparisons[0]!.pValue).toBeGreaterThanOrEqual(one.comparisons[0]!.pValue - 1e-12);
    const width = (interval: [number, number]) => interval[1] - interval[0];
    expect(width(three.comparisons[0]!.differenceCi95)).toBeGreaterThanOrEqual(
      width(one.comparisons[0]!.differenceCi95) - 1e-12,
    );
  });

  it('reports per-seed accuracies, mean, spread and the methods in the run report', async () => {
    const rows = { medthink: [good, randomRow(0.7, 3), randomRow(0.8, 4)], baseline: [weak, weak, weak] };
    const { results, report } = run(rows);
    const medthink = results.strategies.find((strategy) => strategy.strategy === 'medthink')!;
    const accuracies = rows.medthink.map((row) => row.filter(Boolean).length / 60);
    expect(medthink.seeds.map((seed) => seed.accuracy)).toEqual(accuracies);
    expect(medthink.accuracy).toBeCloseTo(accuracies.reduce((sum, value) => sum + value, 0) / 3, 12);
    expect(medthink.spread.min).toBe(Math.min(...accuracies));
    const parsed = runReportSchema.parse(report);
    expect(parsed.seedStatistics?.design).toBe('shared-items');
    expect(parsed.seedSummaries?.find((summary) => summary.name === 'medthink')?.seeds).toHaveLength(3);
    expect(parsed.seedComparisons).toHaveLength(1);
    const markdown = renderMarkdownReport(report);
    expect(markdown).toContain('## Over seeds');
    expect(markdown).toContain(results.statistics.accuracyMethod);
    expect(markdown).toContain(results.statistics.comparisonMethod);
    expect(markdown).toContain('## Paired comparisons, seed by seed');
    const page = await renderHtmlReport(report);
    expect(page).toContain('data-table="seeds"');
    expect(page).toContain('data-table="seed-comparisons"');
    expect(page).toContain(results.statistics.comparisonMethod);
  });
});
