import type { Command } from 'commander';
import { z } from 'zod';
import { askModel } from '../../compose/ask-model.js';
import type { ResolveModel } from '../../compose/resolve-model.js';
import { ConfigError } from '../../errors.js';
import { definedOnly } from '../../util/defined-only.js';
import { printLine } from '../output.js';
import { allowEndpointFlag, commandGuard, localOnlyFlag } from '../privacy-flags.js';

/** Turns a model spec string into a model (servers here, `gguf:` through the embedded runtime). */
export type ModelResolver = ResolveModel;

const integer = (name: string, minimum: number) =>
  z.coerce
    .number({ error: `--${name} must be a number` })
    .int(`--${name} must be a whole number`)
    .min(minimum, `--${name} must be at least ${minimum}`);

const askOptionsSchema = z.strictObject({
  model: z.string().min(1),
  system: z.string().optional(),
  maxTokens: integer('max-tokens', 1).optional(),
  temperature: z.coerce.number({ error: '--temperature must be a number' }).min(0).max(2).optional(),
  seed: integer('seed', 0).optional(),
  samples: integer('samples', 1).default(1),
  timeout: z.coerce.number({ error: '--timeout must be a number of seconds' }).positive().default(120),
  retries: integer('retries', 0).default(2),
  json: z.boolean().default(false),
  localOnly: z.boolean().optional(),
  allowEndpoint: z.array(z.string()).optional(),
});

/**
 * `medistill ask --model <spec> "question" [--json]`: one question to one model, the quickest
 * check that a teacher endpoint, key and model name work. The resolver is a parameter because
 * `gguf:` specs belong to the embedded runtime.
 */
export function registerAskCommand(program: Command, resolveModel: ModelResolver): void {
  program
    .command('ask')
    .description('Ask a model one question and print its answer')
    .argument('<question>', 'the question (user message)')
    .requiredOption(
      '-m, --model <spec>',
      'model spec: openai:gpt-4o-mini, openai-compatible:URL#name, ollama:llama3, vllm:URL#name, gguf:./model.gguf',
    )
    .option('--system <text>', 'system message')
    .option('--max-tokens <n>', 'most tokens to generate')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)')
    .option('--seed <n>', 'sampling seed')
    .option('-n, --samples <n>', 'number of answers to sample')
    .option('--timeout <seconds>', 'give up on an attempt after this long')
    .option('--retries <n>', 'retries for rate limits, server errors and timeouts')
    .option('--json', 'print the answer as JSON (text, finish reason, usage)')
    .option(...localOnlyFlag)
    .option(...allowEndpointFlag)
    .action(async (question: string, rawOptions: Record<string, unknown>) => {
      const parsed = askOptionsSchema.safeParse(rawOptions);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigError(`ask: ${issue?.message ?? 'invalid options'}`);
      }
      const options = parsed.data;
      const guard = commandGuard(options);
      await guard?.check(options.model, '--model');
      const { modelId, response } = await askModel({
        modelSpec: options.model,
        resolveModel: (spec) => resolveModel(spec, guard ? { guard } : {}),
        question,
        ...definedOnly({
          system: options.system,
          maxTokens: options.maxTokens,
          temperature: options.temperature,
          seed: options.seed,
        }),
        samples: options.samples,
        timeoutMs: options.timeout * 1000,
        retries: options.retries,
      });
      if (options.json) {
        const output = {
          model: modelId,
          modelName: response.modelName,
          choices: response.choices,
          usage: response.usage,
        };
        printLine(JSON.stringify(output, null, 2));
      } else {
        printLine(response.choices.map((choice) => choice.text).join('\n\n---\n\n'));
      }
    });
}
