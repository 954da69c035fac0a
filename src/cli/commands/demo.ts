import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runDemo } from '../../demo/run-demo.js';
import { withInterrupt } from '../interrupt.js';
import { printJson } from '../output.js';
import { ProgressLine } from '../progress.js';
import { printResultsTable, resultsJson } from '../results-table.js';
import { runEventPrinter } from '../run-progress.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run MedThink end to end, offline: the project benchmark, a knowledge-grounded teacher, a student trained here',
    )
    .option('--quick', 'a smaller benchmark and budget (about 3 minutes on 2 cores)')
    .option('--out <dir>', 'run directory', 'medistill-demo')
    .option('--json', 'print the results as JSON')
    .action(async (options: { quick?: boolean; out: string; json?: boolean }) => {
      const progress = new ProgressLine();
      try {
        const summary = await withInterrupt((signal) =>
          runDemo({
            quick: Boolean(options.quick),
            directory: resolve(options.out),
            onEvent: runEventPrinter(progress, options.json ? { json: true } : {}),
            onLog: (message) => progress.log(message),
            signal,
          }),
        );
        progress.done();
        if (options.json) {
          printJson({
            directory: summary.directory,
            benchmark: summary.benchmark,
            ...resultsJson(summary.results),
            elapsedMs: Math.round(summary.elapsedMs),
          });
        } else {
          printResultsTable(summary.results, summary.directory, summary.elapsedMs, summary.benchmark);
        }
      } finally {
        progress.done();
      }
    });
}
