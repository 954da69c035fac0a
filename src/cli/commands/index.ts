import type { Command } from 'commander';

/** Every command registers itself here; each command file owns its options and calls the library. */
export function registerCommands(program: Command): void {
  void program;
}
