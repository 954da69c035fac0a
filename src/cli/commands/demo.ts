import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runDemo } from '../../demo/run-demo.js';
import { runVisionDemo } from '../../demo/run-vision-demo.js';
import type { RunEvent } from '../../methods/strategy-context.js';
import { formatGroundingTable } from '../../report/grounding-table.js';
import { withInterrupt } from '../interrupt.js';
import { printJson, printLine } from '../output.js';
import { ProgressLine } from '../progress.js';
import { printResultsTable, resultsJson } from '../results-table.js';
import { runEventPrinter } from '../run-progress.js';

interface DemoFlags {
  quick?: boolean;
  vision?: boolean;
  out?: string;
  json?: boolean;
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run MedThink end to end, offline: the project benchmark, a knowledge-grounded teacher, a student trained here (--vision: LiteMedCoT-VL on the imaging benchmark)',
    )
    .option('--quick', 'a smaller benchmark and budget (about 3 minutes on 2 cores)')
    .option(
      '--vision',
      'LiteMedCoT-VL: chest films drawn here, a scene-grounded teacher, a vision student trained here, and its grounding analysis',
    )
    .option('--out <dir>', 'run directory (default medistill-demo, or medistill-vision-demo with --vision)')
    .option('--json', 'print the results as JSON')
    .action(async (options: DemoFlags) => {
      if (options.vision) return visionDemo(options);
      const summary = await withProgress(options, (settings) =>
        runDemo({
          quick: Boolean(options.quick),
          directory: resolve(options.out ?? 'medistill-demo'),
          ...settings,
        }),
      );
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
    });
}

/** Run a demo with progress lines (JSON events with --json) and Ctrl-C handling. */
async function withProgress<T>(
  options: DemoFlags,
  run: (settings: {
    onEvent: (event: RunEvent) => void;
    onLog: (message: string) => void;
    signal: AbortSignal;
  }) => Promise<T>,
): Promise<T> {
  const progress = new ProgressLine();
  try {
    return await withInterrupt((signal) =>
      run({
        onEvent: runEventPrinter(progress, options.json ? { json: true } : {}),
        onLog: (message) => progress.log(message),
        signal,
      }),
    );
  } finally {
    progress.done();
  }
}

async function visionDemo(options: DemoFlags): Promise<void> {
  const summary = await withProgress(options, (settings) =>
    runVisionDemo({
      quick: Boolean(options.quick),
      directory: resolve(options.out ?? 'medistill-vision-demo'),
      ...settings,
    }),
  );
  if (options.json) {
    printJson({
      directory: summary.directory,
      benchmark: summary.benchmark,
      student: summary.student,
      ...resultsJson(summary.results),
      grounding: {
        modelId: summary.grounding.modelId,
        seed: summary.grounding.seed,
        summary: summary.grounding.summary,
      },
      elapsedMs: Math.round(summary.elapsedMs),
    });
    return;
  }
  printResultsTable(summary.results, summary.directory, summary.elapsedMs);
  printLine();
  for (const line of formatGroundingTable(summary.grounding)) printLine(line);
  printLine();
  printLine(`Student: ${summary.student.path} with ${summary.student.projectorPath}`);
}
