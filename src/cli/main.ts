import { Command, CommanderError } from 'commander';
import { isMedistillError } from '../errors.js';
import { registerCommands } from './commands/index.js';

/**
 * The CLI's single exit point: commands throw typed errors, this turns them into one message on
 * stderr and a non-zero exit code. Unexpected errors keep their stack (set MEDISTILL_DEBUG=1 for
 * stacks of expected ones too).
 */
export async function runCli(argv: string[]): Promise<void> {
  const program = new Command('medistill')
    .description('Distill clinical reasoning from a large teacher model into a small student model.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed help/version/usage errors.
    return error.exitCode;
  }
  if (isMedistillError(error)) {
    process.stderr.write(`medistill: ${error.message}\n`);
    if (process.env.MEDISTILL_DEBUG) process.stderr.write(`${error.stack ?? ''}\n`);
    return 2;
  }
  process.stderr.write(
    `medistill: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
