import { resolve } from 'node:path';
import type { Command } from 'commander';
import { demoSettings } from '../../demo/demo-settings.js';
import { runDemo } from '../../demo/run-demo.js';
import { strategyNames } from '../../methods/strategies/registry.js';
import { integerFlag } from '../options.js';
import { printJson } from '../output.js';
import { ProgressLine } from '../progress.js';
import { printResultsTable, resultsJson } from '../results-table.js';
import { runEventPrinter } from '../run-progress.js';
import { registerRealStudentBench } from './bench-real-student.js';

export function registerBenchCommand(program: Command): void {
  const bench = program.command('bench').description('benchmarks of the methods on the project benchmark');
  registerRealStudentBench(bench);
  bench
    .command('strategies')
    .description(
      'every strategy, several seeds, on the clinical benchmark: means, intervals, paired tests of MedThink against each',
    )
    .option('--seeds <n>', 'how many seeds', integerFlag('--seeds', { min: 1 }), 3)
    .option('--quick', 'the quick demo sizes')
    .option(
      '--fixed-draw',
      'every seed on the same benchmark draw (seeds vary only training); default: a new draw per seed',
    )
    .option(
      '--samples <k>',
      'sampled teacher rationales per item for self-consistency',
      integerFlag('--samples', { min: 1 }),
      5,
    )
    .option('--out <dir>', 'run directory', 'medistill-bench-strategies')
    .option('--json', 'print the results as JSON')
    .action(
      async (options: {
        seeds: number;
        quick?: boolean;
        fixedDraw?: boolean;
        samples: number;
        out: string;
        json?: boolean;
      }) => {
        const progress = new ProgressLine();
        const settings = {
          ...demoSettings(Boolean(options.quick)),
          strategies: [...strategyNames],
          seeds: Array.from({ length: options.seeds }, (_, index) => index + 1),
          perSeedDraws: !options.fixedDraw,
          samples: options.samples,
        };
        const summary = await runDemo({
          quick: Boolean(options.quick),
          directory: resolve(options.out),
          settings,
          onEvent: runEventPrinter(progress, options.json ? { json: true } : {}),
          onLog: (message) => progress.log(message),
        });
        progress.done();
        if (options.json)
          printJson({
            directory: summary.directory,
            benchmark: summary.benchmark,
            ...resultsJson(summary.results),
          });
        else printResultsTable(summary.results, summary.directory, summary.elapsedMs, summary.benchmark);
      },
    );
}
