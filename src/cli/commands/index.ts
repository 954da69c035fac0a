import type { Command } from 'commander';
import { registerBenchCommand } from './bench.js';
import { registerDataCommand } from './data.js';
import { registerDemoCommand } from './demo.js';
import { registerGenerateCommand } from './generate.js';
import { registerModelCommand } from './model.js';
import { registerRunCommand } from './run.js';
import { registerTrainCommand } from './train.js';

/** Every command registers itself here; each command file owns its options and calls the library. */
export function registerCommands(program: Command): void {
  registerBenchCommand(program);
  registerDataCommand(program);
  registerDemoCommand(program);
  registerModelCommand(program);
  registerRunCommand(program);
  registerTrainCommand(program);
  registerGenerateCommand(program);
}
