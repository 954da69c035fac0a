import type { Command } from 'commander';
import type { ResolveModel } from '../../compose/resolve-model.js';
import { measureFootprint } from '../../deploy/footprint.js';
import { footprintMarkdown } from '../../deploy/footprint-table.js';
import { definedOnly } from '../../util/defined-only.js';
import { withInterrupt } from '../interrupt.js';
import { integerFlag } from '../options.js';
import { printError, printJson, printLine } from '../output.js';

interface FootprintFlags {
  data?: string;
  reference?: string;
  limit?: number;
  maxTokens: number;
  concurrency: number;
  json?: boolean;
}

/** `medistill footprint`: size, load time, peak RSS, speed and accuracy of exported variants. */
export function registerFootprintCommand(program: Command, resolveModel: ResolveModel): void {
  program
    .command('footprint')
    .description('what each GGUF variant costs to run, and what quantization costs in accuracy')
    .argument('<models...>', 'GGUF files; the first is the reference (the unquantized student)')
    .option('--data <path>', 'a test set: accuracy, and a paired McNemar test against the reference')
    .option('--reference <file>', 'compare against this model instead of the first')
    .option('--limit <n>', 'use only the first n test items', integerFlag('--limit', { min: 1 }))
    .option(
      '--max-tokens <n>',
      'reply token limit per test item',
      integerFlag('--max-tokens', { min: 1 }),
      256,
    )
    .option('--concurrency <n>', 'test items in flight', integerFlag('--concurrency', { min: 1 }), 4)
    .option('--json', 'print the rows as JSON')
    .action(async (models: string[], flags: FootprintFlags) => {
      const rows = await withInterrupt((signal) =>
        measureFootprint({
          models,
          loadModel: resolveModel,
          maxAnswerTokens: flags.maxTokens,
          concurrency: flags.concurrency,
          signal,
          onProgress: (message) => printError(message),
          ...definedOnly({ data: flags.data, reference: flags.reference, limit: flags.limit }),
        }),
      );
      if (flags.json) {
        printJson(rows);
        return;
      }
      printLine(footprintMarkdown(rows));
      printLine();
      printLine(
        `load time, peak RSS and tok/s: one fresh process per model, llama.cpp on the CPU with ${rows[0]?.threads ?? 1} thread(s); on a shared machine they vary from run to run`,
      );
    });
}
