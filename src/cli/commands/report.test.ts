import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sampleRunReport } from '../../../test/fixtures/eval/sample-run-report.js';
import type { RunReportInput } from '../../report/run-report.js';
import { registerCompareCommand, registerReportCommand } from './report.js';

async function runCommand(args: string[]): Promise<string> {
  const program = new Command('medistill').exitOverride();
  registerReportCommand(program);
  registerCompareCommand(program);
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'medistill', ...args]);
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

async function runDirectory(report: RunReportInput): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'medistill-run-'));
  await writeFile(join(directory, 'results.json'), JSON.stringify(report));
  return directory;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('medistill report', () => {
  it('writes report.html and report.md next to results.json', async () => {
    const directory = await runDirectory(await sampleRunReport());
    const output = JSON.parse(await runCommand(['report', directory, '--json']));
    expect(output).toEqual({
      html: join(directory, 'report.html'),
      markdown: join(directory, 'report.md'),
      strategies: 3,
    });
    const html = await readFile(join(directory, 'report.html'), 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('data-chart="strategy-accuracy"');
    expect(await readFile(join(directory, 'report.md'), 'utf8')).toContain('## Accuracy by strategy');
  });

  it('fails with the file and field when results.json is not a run report', async () => {
    const report = await sampleRunReport();
    report.strategies[0]!.n = -1;
    const directory = await runDirectory(report);
    await expect(runCommand(['report', directory])).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(`${join(directory, 'results.json')} (field "strategies.0.n")`),
    });
  });
});

describe('medistill compare', () => {
  it('pairs two runs on their shared items and prints the test as JSON', async () => {
    const first = await sampleRunReport();
    const second = structuredClone(first);
    second.title = 'second run';
    // The second run flips three of medthink's wrong answers to right and drops one item.
    const medthink = second.strategies.find((strategy) => strategy.name === 'medthink')!;
    const wrong = medthink.outcomes!.filter((outcome) => !outcome.correct).slice(0, 3);
    for (const outcome of wrong) outcome.correct = true;
    medthink.outcomes = medthink.outcomes!.slice(1);
    const [directoryA, directoryB] = await Promise.all([runDirectory(first), runDirectory(second)]);
    const result = JSON.parse(
      await runCommand(['compare', directoryA, join(directoryB, 'results.json'), '--json']),
    );
    expect(result.pairs).toHaveLength(3);
    const pair = result.pairs.find((candidate: { a: string }) => candidate.a.endsWith('medthink (seed 3)'));
    const flippedShared = wrong.filter(
      (outcome) => outcome.itemId !== first.strategies[2]!.outcomes![0]!.itemId,
    ).length;
    expect(pair).toMatchObject({
      n: 59,
      onlyInA: 1,
      onlyInB: 0,
      onlyACorrect: 0,
      onlyBCorrect: flippedShared,
    });
    expect(pair.pValue).toBeCloseTo(2 * 0.5 ** flippedShared, 12);
    const unchanged = result.pairs.find((candidate: { a: string }) =>
      candidate.a.endsWith('answer-only (seed 1)'),
    );
    expect(unchanged).toMatchObject({ n: 60, onlyACorrect: 0, onlyBCorrect: 0, pValue: 1 });
  });

  it('prints a readable summary without --json', async () => {
    const report = await sampleRunReport();
    const directory = await runDirectory(report);
    const text = await runCommand([
      'compare',
      directory,
      directory,
      '--strategy-a',
      'answer-only (seed 1)',
      '--strategy-b',
      'medthink (seed 3)',
    ]);
    expect(text).toMatch(/answer-only \(seed 1\)\s+vs\s+.*medthink \(seed 3\)/);
    expect(text).toMatch(/exact McNemar p/);
  });
});
