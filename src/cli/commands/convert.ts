import type { Command } from 'commander';
import { type ConvertResult, OUT_TYPES, type OutType, runConvert } from '../../convert/index.js';
import { definedOnly } from '../../util/defined-only.js';
import { choiceFlag } from '../options.js';
import { printJson, printLine } from '../output.js';

interface ConvertFlags {
  out: string;
  type?: OutType;
  base?: string;
  merge?: boolean;
  pre?: string;
  json?: boolean;
}

/** `medistill convert`: Hugging Face checkpoints <-> GGUF, peft LoRA -> GGUF LoRA, and merging. */
export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description(
      'convert a Hugging Face model folder to GGUF or back, a peft LoRA adapter to a GGUF adapter, or merge an adapter into its base',
    )
    .argument(
      '<input>',
      'a Hugging Face model folder, a GGUF model, a peft adapter folder, or (with --merge) any adapter',
    )
    .requiredOption('--out <path>', 'the GGUF file, or the folder for a Hugging Face checkpoint')
    .option(
      '--type <type>',
      `element type of the weights: ${OUT_TYPES.join(', ')} (default f16 to GGUF; to Hugging Face each tensor keeps its type)`,
      choiceFlag('--type', OUT_TYPES),
    )
    .option('--base <model>', "the adapter's base model (Hugging Face folder or GGUF)")
    .option(
      '--merge',
      'merge the adapter into --base; --out ending in .gguf writes GGUF, else a Hugging Face folder',
    )
    .option('--pre <name>', "llama.cpp's pre-tokenizer name, when tokenizer.json's is not recognised")
    .option('--json', 'print the result as JSON')
    .action(async (input: string, flags: ConvertFlags) => {
      const result = await runConvert({
        input,
        output: flags.out,
        ...definedOnly({ outType: flags.type, base: flags.base, merge: flags.merge, pre: flags.pre }),
      });
      if (flags.json) printJson(result);
      else printLine(describe(result));
    });
}

function describe(result: ConvertResult): string {
  switch (result.kind) {
    case 'hf-to-gguf':
      return `wrote ${result.output}: ${result.architecture}, ${result.tensorCount} tensors, ${result.parameterCount} parameters, matrices ${result.outType}`;
    case 'gguf-to-hf':
      return `wrote ${result.output}/: ${result.architecture}, ${result.tensorCount} tensors${result.dequantized.length ? ` (${result.dequantized.length} dequantized to F32)` : ''}`;
    case 'lora-to-gguf':
      return `wrote ${result.output}: LoRA for ${result.architecture}, ${result.targets.length} tensors adapted, rank ${result.rank}, alpha ${result.alpha}`;
    case 'merge':
      return `wrote ${result.output} (${result.format}): merged ${result.mergedTensors.length} tensors (rank ${result.rank}, scale ${result.scale})`;
  }
}
