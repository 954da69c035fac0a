import { describe, expect, it } from 'vitest';
import { compareMultiSeed, sharedItemsComparisonMethod } from '../eval/statistics/multi-seed-comparison.js';
import { seededRandom } from '../util/seeded-random.js';
import { compareRuns } from './compare-runs.js';
import { type RunReport, runReportSchema } from './run-report.js';

const ids = Array.from({ length: 40 }, (_, index) => `q${index}`);

function rows(rate: number, seed: number): boolean[][] {
  const random = seededRandom(seed);
  return [1, 2, 3].map(() => ids.map(() => random() < rate));
}

/** A three-seed shared-item run of one strategy, as build-report writes it. */
function run(title: string, outcomes: boolean[][]): RunReport {
  const accuracies = outcomes.map((row) => row.filter(Boolean).length / row.length);
  return runReportSchema.parse({
    schemaVersion: 1,
    title,
    createdAt: '2025-01-01T00:00:00Z',
    strategies: outcomes.map((row, index) => ({
      name: 'medthink',
      seed: index + 1,
      n: row.length,
      correct: row.filter(Boolean).length,
      accuracy: accuracies[index],
      ci95: [0, 1],
      outcomes: row.map((correct, item) => ({ itemId: ids[item], correct, prediction: 'A' })),
    })),
    seedStatistics: { design: 'shared-items', accuracyMethod: 'm', comparisonMethod: 'c' },
    seedSummaries: [
      {
        name: 'medthink',
        seeds: accuracies.map((accuracy, index) => ({ seed: index + 1, accuracy })),
        mean: accuracies.reduce((sum, value) => sum + value, 0) / 3,
        sd: 0,
        min: Math.min(...accuracies),
        max: Math.max(...accuracies),
        ci95: [0, 1],
      },
    ],
  });
}

describe('compareRuns over seeds', () => {
  it('compares multi-seed runs on per-item mean correctness, beside the per-seed pairs', () => {
    const outcomesA = rows(0.8, 1);
    const outcomesB = rows(0.5, 2);
    const result = compareRuns(run('A', outcomesA), run('B', outcomesB), { bootstrap: { resamples: 300 } });
    expect(result.pairs).toHaveLength(3);
    expect(result.overSeeds).toHaveLength(1);
    const [pair] = result.overSeeds;
    const expected = compareMultiSeed(outcomesA, outcomesB, 'shared-items', { resamples: 300 });
    expect(pair).toMatchObject({
      seeds: 3,
      units: 40,
      difference: expected.difference,
      pValue: expected.pValue,
      method: sharedItemsComparisonMethod,
    });
    expect(pair!.summaryA.seeds).toHaveLength(3);
  });

  it('leaves single-seed runs to the per-item McNemar pairs', () => {
    const single = (title: string) => {
      const report = run(title, rows(0.6, 3));
      return { ...report, seedStatistics: undefined, seedSummaries: undefined } as RunReport;
    };
    expect(compareRuns(single('A'), single('B')).overSeeds).toEqual([]);
  });
});
