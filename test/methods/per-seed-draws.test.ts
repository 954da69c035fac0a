import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoSettings } from '../../src/demo/demo-settings.js';
import { runDemo } from '../../src/demo/run-demo.js';
import { perSeedDrawAccuracyMethod } from '../../src/eval/statistics/multi-seed-accuracy.js';
import { temporaryDirectory } from '../support/paths.js';

/** `bench strategies` at a tiny size: two seeds, each with its own benchmark draw, teacher and student base. */
const tinySettings = {
  ...demoSettings(true),
  benchmark: { seed: 3, conditionCount: 6, trainVignettesPerPair: 2, testVignettesPerPair: 1 },
  student: { layers: 1, embeddingLength: 32, heads: 2, seed: 1 },
  training: { ...demoSettings(true).training, epochs: 1, batchSize: 16 },
  strategies: ['zero-shot', 'self-consistency'],
  seeds: [1, 2],
  perSeedDraws: true,
  samples: 3,
};

describe('per-seed benchmark draws', () => {
  it('trains and tests each seed on its own draw and reports seed-aware statistics', async () => {
    const directory = await temporaryDirectory();
    const summary = await runDemo({ quick: true, directory, settings: tinySettings });
    expect(summary.benchmark.draws).toBe(2);
    expect(summary.results.statistics.design).toBe('per-seed-draws');
    expect(summary.results.statistics.accuracyMethod).toBe(perSeedDrawAccuracyMethod);
    const consistency = summary.results.strategies.find((entry) => entry.strategy === 'self-consistency')!;
    expect(consistency.error).toBeUndefined();
    expect(consistency.seeds.map((seed) => seed.seed)).toEqual([1, 2]);
    expect(consistency.seeds[0]!.counts.samplesPerItem).toBe(3);
    // Sampled rationales slip, and the vote drops them.
    expect(consistency.seeds[0]!.counts.rationalesRejected).toBeGreaterThan(0);
    expect(consistency.spread.mean).toBeCloseTo(
      (consistency.seeds[0]!.accuracy + consistency.seeds[1]!.accuracy) / 2,
      12,
    );
    // The comparison pairs within each draw: both draws' items, never the same item twice.
    const [comparison] = summary.results.comparisons;
    expect(comparison!.n).toBe(2 * summary.benchmark.testItems);
    expect(comparison!.seeds).toBe(2);

    const written = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8')) as {
      report: { items: { itemId: string }[]; strategies: { name: string; outcomes: { itemId: string }[] }[] };
    };
    const ids = written.report.items.map((item) => item.itemId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('draw1-')).length).toBe(summary.benchmark.testItems);
    expect(ids.some((id) => id.startsWith('draw2-'))).toBe(true);
    // The two draws are different benchmarks, not relabelled copies.
    const questions = await readFile(
      join(directory, 'self-consistency', 'seed-2', 'student.train.jsonl'),
      'utf8',
    );
    const firstDraw = await readFile(
      join(directory, 'self-consistency', 'seed-1', 'student.train.jsonl'),
      'utf8',
    );
    expect(questions).not.toBe(firstDraw);
  }, 600_000);
});
