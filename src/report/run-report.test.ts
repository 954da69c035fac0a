import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunReport, writeRunReport } from './read-run-report.js';
import { type RunReportInput, runReportSchema, strategyLabel } from './run-report.js';

function minimalReport(): RunReportInput {
  return {
    schemaVersion: 1,
    title: 'run',
    createdAt: '2025-01-01T00:00:00.000Z',
    strategies: [
      { name: 'answer-only', seed: 1, n: 4, correct: 2, accuracy: 0.5, ci95: [0.15, 0.85] },
      { name: 'answer-only', seed: 2, n: 4, correct: 3, accuracy: 0.75, ci95: [0.3, 0.95] },
    ],
  };
}

describe('RunReport schema', () => {
  it('accepts a minimal report and fills the optional lists', () => {
    const report = runReportSchema.parse(minimalReport());
    expect(report.comparisons).toEqual([]);
    expect(report.items).toEqual([]);
    expect(report.strategies.map(strategyLabel)).toEqual(['answer-only (seed 1)', 'answer-only (seed 2)']);
  });

  it('rejects duplicate strategies, unknown comparison labels, reversed intervals and typos', () => {
    const duplicate = minimalReport();
    duplicate.strategies[1]!.seed = 1;
    expect(runReportSchema.safeParse(duplicate).error?.issues[0]?.message).toMatch(/duplicate strategy/);

    const unknown = {
      ...minimalReport(),
      comparisons: [
        {
          a: 'answer-only (seed 1)',
          b: 'medthink',
          n: 4,
          bothCorrect: 2,
          onlyACorrect: 0,
          onlyBCorrect: 1,
          bothWrong: 1,
          accuracyA: 0.5,
          accuracyB: 0.75,
          difference: -0.25,
          differenceCi95: [-0.75, 0],
          pValue: 1,
        },
      ],
    };
    expect(runReportSchema.safeParse(unknown).error?.issues[0]).toMatchObject({
      path: ['comparisons', 0, 'b'],
    });

    const reversed = minimalReport();
    reversed.strategies[0]!.ci95 = [0.9, 0.1];
    expect(runReportSchema.safeParse(reversed).success).toBe(false);

    expect(runReportSchema.safeParse({ ...minimalReport(), strategy: [] }).success).toBe(false);
  });
});

describe('reading and writing run reports', () => {
  it('round-trips through a file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medistill-report-'));
    const path = join(directory, 'results.json');
    await writeRunReport(path, minimalReport());
    const read = await readRunReport(path);
    expect(read.strategies[1]?.accuracy).toBe(0.75);
    expect(JSON.parse(await readFile(path, 'utf8')).schemaVersion).toBe(1);
  });

  it('names the file and the first bad field', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'medistill-report-'));
    const path = join(directory, 'results.json');
    const bad = minimalReport();
    bad.strategies[0]!.accuracy = 1.5;
    await writeFile(path, JSON.stringify(bad));
    await expect(readRunReport(path)).rejects.toMatchObject({
      name: 'InputError',
      location: { file: path, field: 'strategies.0.accuracy' },
    });
    await writeFile(path, '{ not json');
    await expect(readRunReport(path)).rejects.toThrow(/not JSON/);
  });
});
