import type { Command } from 'commander';
import { serveModel } from '../../deploy/serve/serve-model.js';
import { definedOnly } from '../../util/defined-only.js';
import { withStopSignals } from '../interrupt.js';
import { integerFlag } from '../options.js';
import { printError, printLine } from '../output.js';

interface ServeFlags {
  adapter?: string;
  mmproj?: string;
  host: string;
  port: number;
  apiKey?: string;
  name?: string;
  parallel: number;
  maxConcurrent?: number;
  maxBody: number;
  ctx?: number;
  threads?: number;
}

/** `medistill serve`: an OpenAI-compatible API for a GGUF student, until SIGTERM or Ctrl-C. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'serve a GGUF model as an OpenAI-compatible API (chat completions, streaming, /v1/models, /health)',
    )
    .argument('<model>', 'the GGUF model (e.g. an exported student)')
    .option('--adapter <file>', 'a GGUF LoRA adapter to apply')
    .option(
      '--mmproj <file>',
      "a vision model's image encoder and projector (mmproj GGUF): the API takes images",
    )
    .option('--host <address>', 'address to bind; anything but loopback needs an API key', '127.0.0.1')
    .option('--port <n>', 'port to listen on', integerFlag('--port', { min: 0 }), 8080)
    .option('--api-key <key>', 'require this key (Authorization: Bearer); default: MEDISTILL_API_KEY')
    .option('--name <id>', 'the model id clients use (default: the file name)')
    .option('--parallel <n>', 'requests generated at once', integerFlag('--parallel', { min: 1 }), 4)
    .option(
      '--max-concurrent <n>',
      'requests admitted at once; more get 429 (default 4 x parallel)',
      integerFlag('--max-concurrent', { min: 1 }),
    )
    .option('--max-body <bytes>', 'largest request body', integerFlag('--max-body', { min: 1 }), 1024 * 1024)
    .option(
      '--ctx <n>',
      'context per request in tokens (default: the model own, at most 4096)',
      integerFlag('--ctx', { min: 16 }),
    )
    .option('--threads <n>', 'llama.cpp threads (default 1)', integerFlag('--threads', { min: 1 }))
    .action(async (model: string, flags: ServeFlags) => {
      const server = await serveModel({
        model,
        host: flags.host,
        port: flags.port,
        parallel: flags.parallel,
        maxBodyBytes: flags.maxBody,
        ...definedOnly({
          adapter: flags.adapter,
          projector: flags.mmproj,
          apiKey: flags.apiKey ?? process.env.MEDISTILL_API_KEY,
          name: flags.name,
          maxConcurrent: flags.maxConcurrent,
          contextSize: flags.ctx,
          threads: flags.threads,
        }),
      });
      printLine(
        `serving ${server.modelName} at ${server.baseUrl} (OpenAI-compatible; health at ${server.origin}/health)`,
      );
      await withStopSignals(['SIGTERM', 'SIGINT', 'SIGHUP'], async ({ received }) => {
        const signal = await received;
        printError(`${signal}: finishing requests in flight, then stopping`);
        await server.close();
      });
      printError('stopped');
    });
}
