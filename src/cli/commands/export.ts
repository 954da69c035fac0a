import type { Command } from 'commander';
import { exportModel } from '../../deploy/export-model.js';
import { QUANTIZE_TYPES } from '../../engines/llama-cpp/quantize-model.js';
import { definedOnly } from '../../util/defined-only.js';
import { withInterrupt } from '../interrupt.js';
import { integerFlag } from '../options.js';
import { formatCount, printJson, printLine } from '../output.js';

interface ExportFlags {
  adapter?: string;
  type: string;
  out: string;
  threads?: number;
  json?: boolean;
}

/** `medistill export`: merge a LoRA adapter into its base, then quantize with llama.cpp's quantizer. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description('merge a LoRA adapter into its base model, then quantize it for a device')
    .argument('<model>', 'the GGUF model (the student, or the base of --adapter)')
    .option('--adapter <file>', 'a GGUF LoRA adapter to merge into the model first')
    .requiredOption('--type <type>', `quantization: ${Object.keys(QUANTIZE_TYPES).join(', ')}`)
    .requiredOption('--out <file.gguf>', 'where to write the exported model')
    .option(
      '--threads <n>',
      'quantization threads (default: one per core)',
      integerFlag('--threads', { min: 1 }),
    )
    .option('--json', 'print the result as JSON')
    .action(async (model: string, flags: ExportFlags) => {
      const result = await withInterrupt((signal) =>
        exportModel({
          model,
          type: flags.type,
          out: flags.out,
          signal,
          ...definedOnly({ adapter: flags.adapter, threads: flags.threads }),
        }),
      );
      if (flags.json) {
        printJson(result);
        return;
      }
      if (result.merge)
        printLine(
          `merged ${result.merge.mergedTensors.length} tensors of ${flags.adapter} (rank ${result.merge.rank}, scale ${result.merge.scale})${result.merge.dequantizedFrom ? ` into the base dequantized from ${result.merge.dequantizedFrom.join(', ')}` : ''}`,
        );
      const counts = Object.entries(result.typeCounts)
        .map(([type, count]) => `${count} ${type}`)
        .join(', ');
      printLine(
        `wrote ${result.output}: ${result.type}, ${formatCount(result.outputBytes)} bytes (from ${formatCount(result.inputBytes)}); tensors ${counts}`,
      );
      if (result.fallbacks.length > 0) {
        printLine(`${result.fallbacks.length} weight matrices are not ${result.tensorType}:`);
        const byType = new Map<string, string[]>();
        for (const tensor of result.fallbacks)
          byType.set(tensor.type, [...(byType.get(tensor.type) ?? []), `${tensor.name} [${tensor.shape}]`]);
        for (const [type, names] of byType) printLine(`  ${type}: ${names.join(', ')}`);
      }
    });
}
