import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { compareRuns } from '../../report/compare-runs.js';
import { formatDifference, formatInterval, formatPercent, formatPValue } from '../../report/format.js';
import { readRunReport } from '../../report/read-run-report.js';
import { renderHtmlReport } from '../../report/render-html-report.js';
import { renderMarkdownReport } from '../../report/render-markdown-report.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import { integerFlag } from '../options.js';
import { printJson, printLine } from '../output.js';

/** A run directory holds `results.json`; a path to the file itself is accepted too. */
async function locateRun(runPath: string): Promise<{ file: string; directory: string }> {
  const info = await stat(runPath).catch(() => undefined);
  return info?.isDirectory()
    ? { file: join(runPath, 'results.json'), directory: runPath }
    : { file: runPath, directory: dirname(runPath) };
}

interface ReportFlags {
  maxErrors: number;
  json?: boolean;
}

/** `medistill report <run-dir>`: render report.html and report.md from `<run-dir>/results.json`. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('render report.html (self-contained) and report.md from <run-dir>/results.json')
    .argument('<run-dir>', 'a run directory (or its results.json)')
    .option(
      '--max-errors <n>',
      'error items to include for browsing',
      integerFlag('--max-errors', { min: 0 }),
      50,
    )
    .option('--json', 'print the written paths as JSON')
    .action(async (runDir: string, flags: ReportFlags) => {
      const { file, directory } = await locateRun(runDir);
      const report = await readRunReport(file);
      const htmlPath = join(directory, 'report.html');
      const markdownPath = join(directory, 'report.md');
      await writeFileAtomically(
        htmlPath,
        await renderHtmlReport(report, { maxErrors: flags.maxErrors, directory }),
      );
      await writeFileAtomically(markdownPath, renderMarkdownReport(report, { directory }));
      if (flags.json)
        printJson({ html: htmlPath, markdown: markdownPath, strategies: report.strategies.length });
      else printLine(`wrote ${htmlPath} and ${markdownPath}`);
    });
}

interface CompareFlags {
  strategyA?: string;
  strategyB?: string;
  seed: number;
  json?: boolean;
}

/** `medistill compare <run-a> <run-b>`: paired exact McNemar on the items both runs scored. */
export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description(
      'compare two runs item by item (exact McNemar, paired bootstrap interval, Holm across pairs)',
    )
    .argument('<run-a>', 'a run directory (or its results.json)')
    .argument('<run-b>', 'another run directory (or its results.json)')
    .option(
      '--strategy-a <label>',
      "run A's strategy to compare (default: same names, or each run's only one)",
    )
    .option('--strategy-b <label>', "run B's strategy to compare")
    .option('--seed <n>', 'seed of the paired bootstrap', integerFlag('--seed', { min: 0 }), 20_241_105)
    .option('--json', 'print JSON')
    .action(async (runA: string, runB: string, flags: CompareFlags) => {
      const [a, b] = await Promise.all([
        readRunReport((await locateRun(runA)).file),
        readRunReport((await locateRun(runB)).file),
      ]);
      const result = compareRuns(a, b, {
        ...(flags.strategyA !== undefined ? { strategyA: flags.strategyA } : {}),
        ...(flags.strategyB !== undefined ? { strategyB: flags.strategyB } : {}),
        bootstrap: { seed: flags.seed },
      });
      if (flags.json) {
        printJson(result);
        return;
      }
      for (const pair of result.pairs) {
        printLine(`${pair.a}  vs  ${pair.b}`);
        printLine(`  shared items ${pair.n} (only in A: ${pair.onlyInA}, only in B: ${pair.onlyInB})`);
        printLine(
          `  accuracy ${formatPercent(pair.accuracyA)} vs ${formatPercent(pair.accuracyB)}; difference ${formatDifference(pair.difference)} ${formatInterval(pair.differenceCi95)}`,
        );
        printLine(
          `  only A right ${pair.onlyACorrect}, only B right ${pair.onlyBCorrect}; exact McNemar p ${formatPValue(pair.pValue)}, Holm p ${formatPValue(pair.pValueHolm ?? pair.pValue)}`,
        );
      }
      for (const pair of result.overSeeds) {
        const seeds = (summary: (typeof pair)['summaryA']) =>
          `${summary.seeds.map((seed) => formatPercent(seed.accuracy)).join(' / ')}; mean ${formatPercent(summary.mean)}, SD ${(summary.sd * 100).toFixed(1)} pp, ${formatInterval(summary.ci95)}`;
        printLine(`${pair.a}  vs  ${pair.b}, over ${pair.seeds} seeds`);
        printLine(`  A: ${seeds(pair.summaryA)}`);
        printLine(`  B: ${seeds(pair.summaryB)}`);
        printLine(
          `  difference ${formatDifference(pair.difference)} ${formatInterval(pair.differenceCi95)} on ${pair.units} units; p ${formatPValue(pair.pValue)}, Holm p ${formatPValue(pair.pValueHolm ?? pair.pValue)}`,
        );
        printLine(`  method: ${pair.method}`);
      }
    });
}
