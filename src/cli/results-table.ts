import type { DistillationResults } from '../methods/run/results.js';
import { printLine } from './output.js';
import { formatDuration } from './progress.js';

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** Mean over seeds of the log-likelihood accuracy, where every seed has one. */
function loglikMean(strategy: DistillationResults['strategies'][number]): number | undefined {
  const values = strategy.seeds.map((seed) => seed.loglik?.accuracy);
  if (values.length === 0 || values.some((value) => value === undefined)) return undefined;
  return (values as number[]).reduce((sum, value) => sum + value, 0) / values.length;
}

/** The per-strategy numbers a script wants: accuracy, interval, n, stages and counts. */
export function resultsJson(results: DistillationResults) {
  return {
    strategies: results.strategies.map((strategy) => ({
      strategy: strategy.strategy,
      accuracy: strategy.accuracy,
      meanAccuracy: strategy.meanAccuracy,
      ci95: strategy.ci95,
      n: strategy.seeds.reduce((sum, seed) => sum + seed.total, 0),
      seeds: strategy.seeds.map((seed) => ({
        seed: seed.seed,
        accuracy: seed.accuracy,
        ci95: seed.ci95,
        ...(seed.loglik ? { loglik: seed.loglik } : {}),
        stages: seed.stages,
        counts: seed.counts,
      })),
      ...(strategy.error ? { error: strategy.error } : {}),
    })),
    comparisons: results.comparisons,
  };
}

/** The table `demo`, `run` and `bench strategies` print: accuracy with intervals, counts, paired tests. */
export function printResultsTable(
  results: DistillationResults,
  directory: string,
  elapsedMs: number,
  benchmark?: { testItems: number; chance: number; singleFindingShortcut: number },
): void {
  printLine();
  if (benchmark) {
    printLine(
      `Held-out test: ${benchmark.testItems} vignettes whose finding combinations never occur in training.`,
    );
    printLine(
      `Chance ${percent(benchmark.chance)}; a one-finding shortcut would score ${percent(benchmark.singleFindingShortcut)}.`,
    );
  } else {
    printLine(`Test: ${results.testItems} items; training: ${results.trainItems} items.`);
  }
  printLine();
  printLine(
    `${'strategy'.padEnd(20)} ${'accuracy'.padStart(8)}  ${'95% interval'.padEnd(16)} ${'loglik'.padStart(7)} seeds  notes`,
  );
  for (const strategy of results.strategies) {
    if (strategy.error) {
      printLine(`${strategy.strategy.padEnd(20)} failed: ${strategy.error}`);
      continue;
    }
    const first = strategy.seeds[0];
    const notes: string[] = [];
    if (first?.counts.droppedByScreening !== undefined)
      notes.push(`${first.counts.droppedByScreening} dropped by screening`);
    if (first?.counts.stage2ErrorItems !== undefined)
      notes.push(`${first.counts.stage2ErrorItems} stage-2 error items`);
    if (first && first.stages.length > 1)
      notes.push(first.stages.map((stage) => `${stage.stage} ${percent(stage.accuracy)}`).join(', '));
    const failed = strategy.seeds.reduce((sum, seed) => sum + seed.failedItems.length, 0);
    if (failed > 0) notes.push(`${failed} teacher failures`);
    const interval = `[${percent(strategy.ci95[0])}, ${percent(strategy.ci95[1])}]`;
    const loglik = loglikMean(strategy);
    printLine(
      `${strategy.strategy.padEnd(20)} ${percent(strategy.accuracy).padStart(8)}  ${interval.padEnd(16)} ${(loglik === undefined ? '-' : percent(loglik)).padStart(7)} ${String(strategy.seeds.length).padStart(5)}  ${notes.join('; ')}`,
    );
  }
  printLine(
    'accuracy: the generated answer; loglik: the option whose answer line the student finds likeliest (mean over seeds).',
  );
  if (results.comparisons.length > 0) printLine();
  for (const comparison of results.comparisons) {
    const sign = comparison.difference >= 0 ? '+' : '';
    printLine(
      `${comparison.a} vs ${comparison.b}: ${sign}${(comparison.difference * 100).toFixed(1)} points ` +
        `[${(comparison.differenceCi95[0] * 100).toFixed(1)}, ${(comparison.differenceCi95[1] * 100).toFixed(1)}], ` +
        `exact McNemar p = ${comparison.pValue.toPrecision(2)} (Holm ${comparison.adjustedPValue.toPrecision(2)})`,
    );
  }
  printLine();
  printLine(
    `Run directory: ${directory} (results.json, training sets, models, predictions). ${formatDuration(elapsedMs)} in all.`,
  );
}
