import type { Command } from 'commander';
import { createModelResolver } from '../../compose/resolve-model.js';
import type { ChatMessage } from '../../models/language-model.js';
import { integerFlag, numberFlag } from '../options.js';
import { printJson, printLine } from '../output.js';

interface GenerateOptions {
  model: string;
  lora?: string[];
  adapter?: string[];
  system?: string;
  maxTokens: number;
  temperature: number;
  seed?: number;
  json?: boolean;
}

export function registerGenerateCommand(program: Command): void {
  program
    .command('generate <prompt>')
    .description("generate a reply with a GGUF model, the prompt rendered with the model's chat template")
    .requiredOption('--model <spec>', 'gguf:<file> or a .gguf path')
    .option('--lora <adapter.gguf...>', 'LoRA adapters to apply')
    .option('--adapter <adapter.gguf...>', 'the same as --lora')
    .option('--system <text>', 'a system message')
    .option('--max-tokens <n>', 'most tokens to generate', integerFlag('--max-tokens', { min: 1 }), 256)
    .option('--temperature <t>', '0 for greedy', numberFlag('--temperature', { min: 0, max: 5 }), 0)
    .option('--seed <n>', 'sampling seed', integerFlag('--seed'))
    .option('--json', 'print JSON')
    .action(async (prompt: string, options: GenerateOptions) => {
      const resolve = createModelResolver({
        gguf: {
          loraAdapters: [...(options.lora ?? []), ...(options.adapter ?? [])].map((path) => ({ path })),
          parallelSequences: 1,
        },
      });
      const model = await resolve(options.model);
      try {
        const messages: ChatMessage[] = [
          ...(options.system ? [{ role: 'system' as const, content: options.system }] : []),
          { role: 'user', content: prompt },
        ];
        const started = performance.now();
        const response = await model.generate({
          messages,
          maxTokens: options.maxTokens,
          temperature: options.temperature,
          ...(options.seed !== undefined ? { seed: options.seed } : {}),
        });
        const text = response.choices[0]?.text ?? '';
        if (options.json) {
          printJson({
            model: model.id,
            text,
            usage: response.usage,
            latencyMs: Math.round(performance.now() - started),
          });
        } else {
          printLine(text);
        }
      } finally {
        await model.close?.();
      }
    });
}
