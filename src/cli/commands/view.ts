import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runExportReviews, runImportReviews } from '../../review/review-jsonl.js';
import { runViewServer } from '../../review/run-view-server.js';
import { definedOnly } from '../../util/defined-only.js';
import { withStopSignals } from '../interrupt.js';
import { integerFlag } from '../options.js';
import { printError, printLine } from '../output.js';

interface ViewFlags {
  host: string;
  port: number;
  token?: string;
  readOnly?: boolean;
  compare?: string;
  reviewer?: string;
}

/** `medistill view`: the local review console, until SIGTERM or Ctrl-C. */
export function registerViewCommand(program: Command): void {
  program
    .command('view')
    .description(
      "a local review console for a run: every item's path through the method, filters, search, and review of teacher texts",
    )
    .argument('<run-dir>', 'the run directory')
    .option('--host <address>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port)', integerFlag('--port', { min: 0 }), 8377)
    .option('--token <secret>', 'every request must carry it (default: MEDISTILL_VIEW_TOKEN)')
    .option('--read-only', 'show the run; accept no review')
    .option('--compare <run-dir>', 'a second run to show side by side')
    .option('--reviewer <name>', 'the name review forms start with (default: the account name)')
    .action(async (directory: string, flags: ViewFlags) => {
      const server = await runViewServer({
        directory,
        host: flags.host,
        port: flags.port,
        readOnly: Boolean(flags.readOnly),
        ...definedOnly({
          token: flags.token ?? process.env.MEDISTILL_VIEW_TOKEN,
          compare: flags.compare,
          reviewer: flags.reviewer,
        }),
      });
      printLine(`reviewing ${resolve(directory)} at ${server.url}${flags.readOnly ? ' (read-only)' : ''}`);
      await withStopSignals(['SIGTERM', 'SIGINT', 'SIGHUP'], async ({ received }) => {
        const signal = await received;
        printError(`${signal}: stopping`);
        await server.close();
      });
    });

  const review = program.command('review').description('review decisions as JSONL, to split the work');
  review
    .command('export')
    .description("write a run's review decisions as JSONL")
    .argument('<run-dir>', 'the run directory')
    .option('--out <file>', 'write here instead of stdout')
    .action(async (directory: string, flags: { out?: string }) => {
      const exported = await runExportReviews({ directory, ...definedOnly({ out: flags.out }) });
      if (flags.out) printLine(`${exported.decisions} decisions written to ${flags.out}`);
      else if (exported.text !== '') printLine(exported.text.trimEnd());
    });
  review
    .command('import')
    .description('add review decisions from a JSONL file (ones the run already has are skipped)')
    .argument('<run-dir>', 'the run directory')
    .argument('<file>', 'a JSONL file from `medistill review export`')
    .action(async (directory: string, file: string) => {
      const imported = await runImportReviews({ directory, file });
      printLine(`${imported.added} of ${imported.read} decisions added to ${directory}`);
    });
}
