import type { Command } from 'commander';
import { createModelResolver } from '../../compose/resolve-model.js';
import { registerAskCommand } from './ask.js';
import { registerAuditCommand } from './audit.js';
import { registerBenchCommand } from './bench.js';
import { registerConvertCommand } from './convert.js';
import { registerDataCommand } from './data.js';
import { registerDemoCommand } from './demo.js';
import { registerEvalCommand } from './eval.js';
import { registerExportCommand } from './export.js';
import { registerFootprintCommand } from './footprint.js';
import { registerGenerateCommand } from './generate.js';
import { registerModelCommand } from './model.js';
import { registerPhiScanCommand } from './phi-scan.js';
import { registerPurgeCommand } from './purge.js';
import { registerCompareCommand, registerReportCommand } from './report.js';
import { registerRunCommand } from './run.js';
import { registerServeCommand } from './serve.js';
import { registerTrainCommand } from './train.js';
import { registerViewCommand } from './view.js';
import { registerVqaCommand } from './vqa.js';

/** Every command registers itself here; each command file owns its options and calls the library. */
export function registerCommands(program: Command): void {
  // Resolving loads no model until a command asks for one, so building it up front costs nothing.
  const resolveModel = createModelResolver();
  registerAskCommand(program, resolveModel);
  registerAuditCommand(program);
  registerBenchCommand(program);
  registerConvertCommand(program);
  registerDataCommand(program);
  registerDemoCommand(program);
  registerEvalCommand(program, resolveModel);
  registerExportCommand(program);
  registerFootprintCommand(program, resolveModel);
  registerModelCommand(program);
  registerPhiScanCommand(program);
  registerPurgeCommand(program);
  registerReportCommand(program);
  registerCompareCommand(program);
  registerRunCommand(program);
  registerServeCommand(program);
  registerTrainCommand(program);
  registerGenerateCommand(program);
  registerViewCommand(program);
  registerVqaCommand(program, resolveModel);
}
