import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runDeployStage } from '../../deploy/deploy-stage.js';
import { readRunConfig } from '../../methods/run/run-config.js';
import { runDistillation } from '../../methods/run/run-distillation.js';
import { setupRun } from '../../methods/run/setup-run.js';
import { writeRunOutputs } from '../../methods/run/write-run-outputs.js';
import { RunStore } from '../../store/run-store.js';
import { printJson } from '../output.js';
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
    .action(async (configPath: string, options: { out?: string; json?: boolean }) => {
      const started = performance.now();
      const config = await readRunConfig(configPath);
      const directory = resolve(options.out ?? `runs/${config.name}`);
      const store = RunStore.openDirectory(directory);
      const progress = new ProgressLine();
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once('SIGINT', stop);
      try {
        const setup = await setupRun(config, directory, store);
        const { results, report, referenceModel } = await runDistillation({
          ...setup,
          onEvent: runEventPrinter(progress, options.json ? { json: true } : {}),
          signal: abort.signal,
        });
        progress.done();
        const deploy =
          config.deploy && referenceModel
            ? await runDeployStage({
                directory,
                model: referenceModel,
                types: config.deploy.types,
                test: setup.test,
                loadModel: setup.student.load,
                maxAnswerTokens: config.student.maxAnswerTokens,
                signal: abort.signal,
                onProgress: (message) => progress.update(message),
              })
            : undefined;
        progress.done();
        await writeRunOutputs(
          directory,
          { config, results, ...(deploy ? { deploy } : {}) },
          { ...report, ...(deploy ? { deploy } : {}) },
        );
        if (options.json) printJson({ directory, ...resultsJson(results) });
        else printResultsTable(results, directory, performance.now() - started);
      } finally {
        process.off('SIGINT', stop);
        progress.done();
        store.close();
      }
    });
}
