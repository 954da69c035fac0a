import { resolve } from 'node:path';
import type { Command } from 'commander';
import { realStudentMarkdownTable } from '../../demo/real-student/real-student-table.js';
import { runRealStudentBench } from '../../demo/real-student/run-real-student-bench.js';
import { definedOnly } from '../../util/defined-only.js';
import { withInterrupt } from '../interrupt.js';
import { integerFlag } from '../options.js';
import { printJson, printLine } from '../output.js';
import { ProgressLine } from '../progress.js';
import { runEventPrinter } from '../run-progress.js';

interface RealStudentFlags {
  quick?: boolean;
  seeds?: number;
  model?: string;
  out: string;
  json?: boolean;
}

/** `medistill bench real-student`: MedThink into SmolLM2-135M-Instruct with LoRA, against answer-only. */
export function registerRealStudentBench(bench: Command): void {
  bench
    .command('real-student')
    .description(
      'SmolLM2-135M-Instruct (Q4_1, LoRA) on the clinical benchmark: zero-shot, answer-only, MedThink stage 1 and 2, several seeds',
    )
    .option('--quick', 'a smoke run: one seed, a small draw, one epoch')
    .option('--seeds <n>', 'how many seeds (default 3; 1 with --quick)', integerFlag('--seeds', { min: 1 }))
    .option('--model <file.gguf>', 'another GGUF base (default: the cached SmolLM2-135M-Instruct Q4_1)')
    .option(
      '--out <dir>',
      'run directory (real-student.json and real-student.md go here)',
      'medistill-bench-real-student',
    )
    .option('--json', 'print the results as JSON')
    .action(async (flags: RealStudentFlags) => {
      const progress = new ProgressLine();
      const result = await withInterrupt((signal) =>
        runRealStudentBench({
          directory: resolve(flags.out),
          quick: Boolean(flags.quick),
          signal,
          onEvent: runEventPrinter(progress, flags.json ? { json: true } : {}),
          onLog: (message) => progress.log(message),
          ...definedOnly({ seeds: flags.seeds, model: flags.model }),
        }),
      );
      progress.done();
      if (flags.json) {
        printJson(result);
        return;
      }
      printLine(realStudentMarkdownTable(result.arms));
      printLine(
        `${(result.elapsedMs / 60_000).toFixed(1)} min; wrote ${result.files.markdown} and ${result.files.json}`,
      );
    });
}
