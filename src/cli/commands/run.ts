import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readRunConfig } from '../../methods/run/run-config.js';
import { runDistillation } from '../../methods/run/run-distillation.js';
import { setupRun } from '../../methods/run/setup-run.js';
import { writeRunOutputs } from '../../methods/run/write-run-outputs.js';
import { summariseEgress } from '../../privacy/audit.js';
import { applyPrivacyFlags, type PrivacyFlags } from '../../privacy/policy.js';
import { RunStore } from '../../store/run-store.js';
import { printJson } from '../output.js';
import { allowEndpointFlag, localOnlyFlag, phiOkFlag, redactPhiFlag } from '../privacy-flags.js';
import { ProgressLine } from '../progress.js';
import { printResultsTable, resultsJson } from '../results-table.js';
import { runEventPrinter } from '../run-progress.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run <config>')
    .description(
      'run distillation strategies from a config file (teacher, student, data, strategies, seeds, budget); rerun to resume',
    )
    .option('--out <dir>', 'run directory (default: runs/<name>)')
    .option('--json', 'print the results as JSON')
    .option(...localOnlyFlag)
    .option(...allowEndpointFlag)
    .option(...phiOkFlag)
    .option(...redactPhiFlag)
    .action(async (configPath: string, options: { out?: string; json?: boolean } & PrivacyFlags) => {
      const started = performance.now();
      // Everything the run writes (store, stage files, models, reports) is for its owner only.
      process.umask(0o077);
      const read = await readRunConfig(configPath);
      const config = { ...read, privacy: applyPrivacyFlags(read.privacy, options) };
      const directory = resolve(options.out ?? `runs/${config.name}`);
      const store = RunStore.openDirectory(directory);
      const progress = new ProgressLine();
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        const setup = await setupRun(config, directory, store);
        const { results, report } = await runDistillation({
          ...setup,
          onEvent: runEventPrinter(progress, options.json ? { json: true } : {}),
          signal: abort.signal,
        });
        progress.done();
        const egress = summariseEgress(store.egress.byHost());
        await writeRunOutputs(directory, { config, results }, { ...report, egress });
        if (options.json) printJson({ directory, ...resultsJson(results) });
        else printResultsTable(results, directory, performance.now() - started);
      } finally {
        process.off('SIGINT', stop);
        progress.done();
        store.close();
      }
    });
}
