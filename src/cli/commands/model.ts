import { basename, dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { createPresetModelFile, PRESET_TYPES } from '../../compose/preset-model-file.js';
import { ConfigError } from '../../errors.js';
import { createModelFile, readCorpusFile } from '../../model/create-model.js';
import { modelInfo } from '../../model/model-info.js';
import { PRESET_NAMES } from '../../model/presets.js';
import { createVisionStudent } from '../../model/vision-student.js';
import { choiceFlag, integerFlag } from '../options.js';
import { formatCount, printJson, printLine } from '../output.js';
import { registerModelFetchCommand } from './model-fetch.js';

interface NewOptions {
  corpus?: string;
  preset?: string;
  type?: (typeof PRESET_TYPES)[number];
  out: string;
  layers?: number;
  embd: number;
  heads?: number;
  kvHeads?: number;
  ff?: number;
  ctx: number;
  tokenizer: 'bpe' | 'word';
  vocab: number;
  seed: number;
  f16?: boolean;
  untied?: boolean;
  vision?: boolean;
  json?: boolean;
}

export function registerModelCommand(program: Command): void {
  const model = program.command('model').description('make, fetch and inspect GGUF models');
  registerModelFetchCommand(model);

  model
    .command('new')
    .description(
      'make a random-weight model: a small Llama with a tokenizer learned from a corpus, or a published family (--preset)',
    )
    .option('--corpus <file>', 'text the tokenizer is learned from, one example per line')
    .option(
      '--preset <name>',
      `a published family's configuration and real tokenizer (${PRESET_NAMES.join(', ')}); --layers cuts its depth`,
      choiceFlag('--preset', PRESET_NAMES),
    )
    .option(
      '--type <type>',
      'storage type of a preset model (q8_0 and q4_k through llama.cpp)',
      choiceFlag('--type', PRESET_TYPES),
    )
    .requiredOption('--out <file.gguf>', 'where to write the model')
    .option(
      '--layers <n>',
      'transformer blocks (default 2; a preset: its published depth)',
      integerFlag('--layers', { min: 1 }),
    )
    .option('--embd <n>', 'embedding width', integerFlag('--embd', { min: 8 }), 128)
    .option('--heads <n>', 'attention heads (default: width / 32)', integerFlag('--heads', { min: 1 }))
    .option(
      '--kv-heads <n>',
      'key/value heads for grouped-query attention',
      integerFlag('--kv-heads', { min: 1 }),
    )
    .option('--ff <n>', 'feed-forward width (default: 8/3 of the width)', integerFlag('--ff', { min: 1 }))
    .option('--ctx <n>', 'context length in tokens', integerFlag('--ctx', { min: 8 }), 256)
    .option(
      '--tokenizer <kind>',
      'bpe, or word for closed domains',
      choiceFlag('--tokenizer', ['bpe', 'word'] as const),
      'bpe',
    )
    .option('--vocab <n>', 'vocabulary bound for bpe', integerFlag('--vocab', { min: 260 }), 2048)
    .option('--seed <n>', 'initialisation seed', integerFlag('--seed'), 1)
    .option('--f16', 'store matrices as F16')
    .option('--untied', 'give the model its own output matrix instead of reusing the embeddings')
    .option(
      '--vision',
      'a vision-language model: also write <out>.mmproj.gguf (32 px images, 8 px patches) for llama-server --mmproj',
    )
    .option('--json', 'print JSON')
    .action(async (options: NewOptions) => {
      if (options.preset) {
        const result = await createPresetModelFile({
          preset: options.preset,
          out: options.out,
          seed: options.seed,
          type: options.type ?? (options.f16 ? 'f16' : 'f32'),
          ...(options.layers !== undefined ? { layers: options.layers } : {}),
        });
        if (options.json)
          return printJson({ path: result.path, parameters: result.parameters, ...result.config });
        const c = result.config;
        return printLine(
          `wrote ${result.path}: ${options.preset} (${c.architecture}), ${formatCount(result.parameters)} parameters, vocabulary ${formatCount(c.vocabSize)}, ` +
            `${c.blockCount} layers x ${c.embeddingLength}, ${c.headCount} heads (${c.headCountKv} kv), ${options.type ?? 'f32'}`,
        );
      }
      if (!options.corpus) throw new ConfigError('model new needs --corpus <file> or --preset <name>');
      if (options.type)
        throw new ConfigError('--type applies to --preset models (use --f16 for a corpus model)');
      const corpus = await readCorpusFile(options.corpus);
      if (options.vision) return newVisionModel(options, corpus);
      const result = await createModelFile({
        out: options.out,
        corpus,
        layers: options.layers ?? 2,
        embeddingLength: options.embd,
        contextLength: options.ctx,
        tokenizer: options.tokenizer,
        vocabSize: options.vocab,
        seed: options.seed,
        tiedOutput: !options.untied,
        storage: options.f16 ? 'f16' : 'f32',
        ...(options.heads !== undefined ? { heads: options.heads } : {}),
        ...(options.kvHeads !== undefined ? { kvHeads: options.kvHeads } : {}),
        ...(options.ff !== undefined ? { feedForwardLength: options.ff } : {}),
      });
      if (options.json) {
        printJson({ path: result.path, parameters: result.parameters, ...result.config });
      } else {
        printLine(
          `wrote ${result.path}: ${formatCount(result.parameters)} parameters, vocabulary ${formatCount(result.config.vocabSize)}, ` +
            `${result.config.blockCount} layers x ${result.config.embeddingLength}, context ${result.config.contextLength}`,
        );
      }
    });

  model
    .command('info <file>')
    .description('describe a GGUF model or adapter: architecture, parameters, tokenizer, chat template')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      const info = await modelInfo(file);
      if (options.json) return printJson(info);
      printLine(`${info.file} (GGUF v${info.ggufVersion}, ${formatCount(info.fileBytes)} bytes)`);
      printLine(
        `  architecture  ${info.architecture}${info.isLoraAdapter ? ' (LoRA adapter)' : ''}${info.name ? `, "${info.name}"` : ''}`,
      );
      printLine(
        `  parameters    ${formatCount(info.parameters)} in ${info.tensorCount} tensors (${Object.entries(
          info.tensorTypes,
        )
          .map(([type, count]) => `${count} ${type}`)
          .join(', ')})`,
      );
      if (info.blockCount !== undefined) {
        printLine(
          `  shape         ${info.blockCount} layers, width ${info.embeddingLength}, ${info.headCount} heads (${info.headCountKv} kv), ff ${info.feedForwardLength}, context ${info.contextLength}`,
        );
      }
      printLine(
        `  tokenizer     ${info.tokenizer.model ?? 'none'}${info.tokenizer.pre ? `/${info.tokenizer.pre}` : ''}, ${formatCount(info.tokenizer.vocabSize ?? 0)} tokens, ${formatCount(info.tokenizer.mergeCount ?? 0)} merges`,
      );
      printLine(`  chat template ${info.chatTemplate ? info.chatTemplate.kind : 'none'}`);
    });
}

/** `model new --vision`: the text model and its mmproj beside it (`<name>.gguf`, `<name>.mmproj.gguf`). */
async function newVisionModel(options: NewOptions, corpus: string[]): Promise<void> {
  if (!options.out.endsWith('.gguf')) throw new ConfigError('--vision: --out must end in .gguf');
  const files = await createVisionStudent(dirname(resolve(options.out)), {
    corpus,
    name: basename(options.out, '.gguf'),
    layers: options.layers ?? 2,
    embeddingLength: options.embd,
    contextLength: options.ctx,
    seed: options.seed,
    ...(options.heads !== undefined ? { heads: options.heads } : {}),
  });
  if (options.json) return printJson(files);
  printLine(
    `wrote ${files.modelPath} and ${files.projectorPath} (${files.projector.imageTokens} tokens per image)`,
  );
}
