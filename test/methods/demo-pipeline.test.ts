import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSettings } from '../../src/demo/demo-settings.js';
import { runDemo } from '../../src/demo/run-demo.js';
import type { RunEvent } from '../../src/methods/strategy-context.js';
import { temporaryDirectory } from '../support/paths.js';
import { tinyDemoSettings } from '../support/tiny-demo.js';

/** The demo pipeline at a tiny size: real benchmark, teacher, trainer and runtime, minutes cut to seconds. */
const tinySettings = tinyDemoSettings(demoSettings(true).strategies);

describe('medistill demo pipeline', () => {
  it('runs zero-shot, answer-only and MedThink, reports every MedThink count, and resumes without redoing work', async () => {
    const directory = await temporaryDirectory();
    const events: RunEvent[] = [];
    const summary = await runDemo({
      quick: true,
      directory,
      settings: tinySettings,
      onEvent: (event) => events.push(event),
    });
    const names = summary.results.strategies.map((strategy) => strategy.strategy);
    expect(names).toEqual(['zero-shot', 'answer-only', 'medthink']);
    for (const strategy of summary.results.strategies) {
      expect(strategy.error).toBeUndefined();
      expect(strategy.ci95[0]).toBeLessThanOrEqual(strategy.accuracy);
      expect(strategy.ci95[1]).toBeGreaterThanOrEqual(strategy.accuracy);
      expect(strategy.seeds[0]!.total).toBe(summary.benchmark.testItems);
    }
    const medthink = summary.results.strategies.find((strategy) => strategy.strategy === 'medthink')!
      .seeds[0]!;
    // Screening catches exactly the planted label errors: the knowledge-base teacher disagrees with them.
    expect(medthink.counts.droppedByScreening).toBe(summary.benchmark.mislabeled);
    expect(medthink.counts.stage1Items).toBe(summary.benchmark.trainItems - summary.benchmark.mislabeled);
    expect(medthink.counts.stage2ErrorItems).toBeGreaterThan(0);
    expect(medthink.stages.map((stage) => stage.stage)).toEqual(['stage1', 'stage2']);
    expect(summary.results.comparisons.map((comparison) => comparison.b).sort()).toEqual([
      'answer-only',
      'zero-shot',
    ]);
    expect(events.some((event) => event.type === 'training' && event.stage === 'stage2')).toBe(true);

    const written = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8')) as {
      results: { strategies: { strategy: string }[] };
      report: { strategies: { name: string }[] };
    };
    expect(written.results.strategies).toHaveLength(3);
    expect(written.report.strategies.map((strategy) => strategy.name)).toContain('medthink stage1');
    expect(await readFile(join(directory, 'report.html'), 'utf8')).toContain('<svg');
    expect(existsSync(join(directory, 'report.md'))).toBe(true);
    // The stage-2 training set holds the teacher's corrective chains for the probe's errors.
    const stage2 = await readFile(join(directory, 'medthink', 'seed-1', 'stage2.train.jsonl'), 'utf8');
    expect(stage2).toContain('From the knowledge points we can infer');
    expect(stage2.trim().split('\n')).toHaveLength(medthink.counts.stage2ErrorItems!);

    // Rerun: every stage is read back, no model is retrained, and the numbers are the same.
    const model = join(directory, 'medthink', 'seed-1', 'stage2.gguf');
    const trainedAt = statSync(model).mtimeMs;
    const rerunEvents: RunEvent[] = [];
    const again = await runDemo({
      quick: true,
      directory,
      settings: tinySettings,
      onEvent: (event) => rerunEvents.push(event),
    });
    expect(statSync(model).mtimeMs).toBe(trainedAt);
    expect(rerunEvents.filter((event) => event.type === 'training')).toHaveLength(0);
    expect(again.results.strategies.map((strategy) => strategy.accuracy)).toEqual(
      summary.results.strategies.map((strategy) => strategy.accuracy),
    );
  }, 600_000);
});
