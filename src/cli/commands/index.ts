import type { Command } from 'commander';
import { registerGenerateCommand } from './generate.js';
import { registerModelCommand } from './model.js';

/** Every command registers itself here; each command file owns its options and calls the library. */
export function registerCommands(program: Command): void {
  registerModelCommand(program);
  registerGenerateCommand(program);
}
