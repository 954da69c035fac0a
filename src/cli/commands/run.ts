import type { Command } from 'commander';
import { runDeployStage } from '../../deploy/deploy-stage.js';
import { loadVisionStudent } from '../../deploy/serve/vision-student-model.js';
import { runFromConfig } from '../../methods/run/run-from-config.js';
import type { PrivacyFlags } from '../../privacy/policy.js';
import { withInterrupt } from '../interrupt.js';
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
      // Everything the run writes (store, stage files, models, reports) is for its owner only.
      process.umask(0o077);
      const progress = new ProgressLine();
      try {
        const { directory, results, elapsedMs } = await withInterrupt((signal) =>
          runFromConfig({
            configPath,
            ...(options.out !== undefined ? { out: options.out } : {}),
            privacy: options,
            onEvent: runEventPrinter(progress, options.json ? { json: true } : {}),
            signal,
            // The deploy stage lives above methods/ (it exports and serves); it is passed in.
            deployStage: (stage) =>
              runDeployStage({ ...stage, onProgress: (message) => progress.update(message) }),
            // So is the vision student's runtime (llama-server --mmproj).
            startVisionStudent: loadVisionStudent,
          }),
        );
        progress.done();
        if (options.json) printJson({ directory, ...resultsJson(results) });
        else printResultsTable(results, directory, elapsedMs);
      } finally {
        progress.done();
      }
    });
}
