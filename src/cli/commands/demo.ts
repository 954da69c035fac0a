import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type DemoSummary, runDemo } from '../../demo/run-demo.js';
import { printJson, printLine } from '../output.js';
import { ProgressLine, formatDuration } from '../progress.js';
import { runEventPrinter } from '../run-progress.js';

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

function printTable(summary: DemoSummary): void {
  const { benchmark, results } = summary;
  printLine();
  printLine(`Held-out test: ${benchmark.testItems} vignettes whose finding combinations never occur in training.`);
  printLine(`Chance ${percent(benchmark.chance)}; a one-finding shortcut would score ${percent(benchmark.singleFindingShortcut)}.`);
  printLine();
  printLine(`${'strategy'.padEnd(14)} ${'accuracy'.padStart(8)}  ${'95% interval'.padEnd(15)}  notes`);
  for (const strategy of results.strategies) {
    if (strategy.error) {
      printLine(`${strategy.strategy.padEnd(14)} failed: ${strategy.error}`);
      continue;
    }
    const seed = strategy.seeds[0];
    const notes: string[] = [];
    if (seed?.counts.droppedByScreening !== undefined) notes.push(`${seed.counts.droppedByScreening} dropped by screening`);
    if (seed?.counts.stage2ErrorItems !== undefined) notes.push(`${seed.counts.stage2ErrorItems} stage-2 error items`);
    if (seed && seed.stages.length > 1) notes.push(seed.stages.map((stage) => `${stage.stage} ${percent(stage.accuracy)}`).join(', '));
    printLine(
      `${strategy.strategy.padEnd(14)} ${percent(strategy.accuracy).padStart(8)}  [${percent(strategy.ci95[0])}, ${percent(strategy.ci95[1])}]`.padEnd(42) +
        `  ${notes.join('; ')}`,
    );
  }
  for (const comparison of results.comparisons) {
    printLine(
      `${comparison.a} vs ${comparison.b}: ${comparison.difference >= 0 ? '+' : ''}${(comparison.difference * 100).toFixed(1)} points, exact McNemar p = ${comparison.pValue.toPrecision(2)} (Holm ${comparison.adjustedPValue.toPrecision(2)})`,
    );
  }
  printLine();
  printLine(`Run directory: ${summary.directory} (results.json, training sets, models, predictions). ${formatDuration(summary.elapsedMs)} in all.`);
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run MedThink end to end, offline: the project benchmark, a knowledge-grounded teacher, a student trained here')
    .option('--quick', 'a smaller benchmark and budget (about 3 minutes on 2 cores)')
    .option('--out <dir>', 'run directory', 'medistill-demo')
    .option('--json', 'print the results as JSON')
    .action(async (options: { quick?: boolean; out: string; json?: boolean }) => {
      const progress = new ProgressLine();
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        const summary = await runDemo({
          quick: Boolean(options.quick),
          directory: resolve(options.out),
          onEvent: runEventPrinter(progress, options.json ? { json: true } : {}),
          onLog: (message) => progress.log(message),
          signal: abort.signal,
        });
        progress.done();
        if (options.json) {
          printJson({
            directory: summary.directory,
            benchmark: summary.benchmark,
            strategies: summary.results.strategies.map((strategy) => ({
              strategy: strategy.strategy,
              accuracy: strategy.accuracy,
              ci95: strategy.ci95,
              n: strategy.seeds.reduce((sum, seed) => sum + seed.total, 0),
              stages: strategy.seeds.flatMap((seed) => seed.stages),
              counts: strategy.seeds[0]?.counts ?? {},
              ...(strategy.error ? { error: strategy.error } : {}),
            })),
            comparisons: summary.results.comparisons,
            elapsedMs: Math.round(summary.elapsedMs),
          });
        } else {
          printTable(summary);
        }
      } finally {
        process.off('SIGINT', stop);
        progress.done();
      }
    });
}
