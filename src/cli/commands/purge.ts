import type { Command } from 'commander';
import { ConfigError } from '../../errors.js';
import { runPurgeTeacherText } from '../../privacy/purge-teacher-text.js';
import { printJson, printLine } from '../output.js';

/** `medistill purge RUN_DIR --teacher-text`: deletes stored teacher prompts and replies. */
export function registerPurgeCommand(program: Command): void {
  program
    .command('purge <runDir>')
    .description(
      'delete stored text from a run, keeping its counts and figures (a rerun asks the teacher again)',
    )
    .option(
      '--teacher-text',
      'delete teacher prompts and replies: the call log text, stage files, training data',
    )
    .option('--json', 'print what was deleted as JSON')
    .action(async (directory: string, options: { teacherText?: boolean; json?: boolean }) => {
      if (!options.teacherText) throw new ConfigError('purge: say what to delete (--teacher-text)');
      const result = await runPurgeTeacherText({ directory });
      if (options.json) {
        printJson(result);
        return;
      }
      printLine(
        `purged ${result.calls} calls, ${result.items} item results and ${result.files.length} stage files from ${directory}` +
          `${result.reportRewritten ? '; results.json and the reports no longer hold teacher text' : ''}`,
      );
      printLine('a rerun of this run asks the teacher again (nothing is cached any more)');
    });
}
