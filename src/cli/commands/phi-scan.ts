import type { Command } from 'commander';
import { type DatasetFormat, datasetFormatSchema } from '../../datasets/dataset-format.js';
import { phiKinds } from '../../privacy/phi-patterns.js';
import { summarisePhiScan } from '../../privacy/phi-scan.js';
import { runPhiScan } from '../../privacy/run-phi-scan.js';
import { choiceFlag, integerFlag } from '../options.js';
import { printJson, printLine } from '../output.js';

/**
 * `medistill phi-scan DATA`: the identifier scan a run does before sending items off the machine,
 * on its own: counts by kind, then the first findings with item, field and the matched text.
 */
export function registerPhiScanCommand(program: Command): void {
  program
    .command('phi-scan <data>')
    .description(
      'scan a dataset for likely patient identifiers (names, dates, phone numbers, record numbers, ...)',
    )
    .option(
      '--format <format>',
      'read the data as this format',
      choiceFlag('--format', datasetFormatSchema.options),
    )
    .option('--show <n>', 'findings to list', integerFlag('--show', { min: 0 }), 20)
    .option('--json', 'print the whole report as JSON')
    .action(async (path: string, options: { format?: DatasetFormat; show: number; json?: boolean }) => {
      const report = await runPhiScan({ path, ...(options.format ? { format: options.format } : {}) });
      if (options.json) {
        printJson(report);
        return;
      }
      printLine(summarisePhiScan(report));
      for (const kind of phiKinds) printLine(`  ${kind.padEnd(14)} ${report.byKind[kind]}`);
      for (const finding of report.findings.slice(0, options.show)) {
        printLine(`  ${finding.itemId} ${finding.field} ${finding.kind}: ${JSON.stringify(finding.text)}`);
      }
      if (report.findings.length > options.show) {
        printLine(`  ... ${report.findings.length - options.show} more (--show N or --json)`);
      }
    });
}
