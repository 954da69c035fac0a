import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerAskCommand } from '../../src/cli/commands/ask.js';
import { ApiCallError, ConfigError } from '../../src/errors.js';
import { createServerModelFromSpec } from '../../src/models/openai-compatible-model.js';
import { freePort, type RunningLlamaServer, startTinyLlamaServer } from '../support/llama-server.js';

async function runAsk(args: string[]): Promise<string> {
  const program = new Command('medistill').exitOverride();
  registerAskCommand(program, async (spec) => createServerModelFromSpec(spec));
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'medistill', 'ask', ...args]);
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

describe('medistill ask', () => {
  let server: RunningLlamaServer;
  beforeAll(async () => {
    server = await startTinyLlamaServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('prints the answer as JSON with --json', async () => {
    const output = JSON.parse(
      await runAsk([
        '--model',
        `llama-server:${server.baseUrl}#tiny`,
        'What is the diagnosis?',
        '--json',
        '--max-tokens',
        '5',
        '--temperature',
        '0',
      ]),
    );
    expect(output.model).toBe(`openai-compatible:${server.baseUrl}#tiny`);
    expect(output.choices).toHaveLength(1);
    expect(output.usage.completionTokens).toBeGreaterThan(0);
    expect(output.usage.completionTokens).toBeLessThanOrEqual(5);
  });

  it('prints plain text by default, one block per sample', async () => {
    const text = await runAsk([
      '-m',
      `llama-server:${server.baseUrl}`,
      'Fever?',
      '--max-tokens',
      '3',
      '-n',
      '2',
      '--seed',
      '4',
    ]);
    expect(text.split('\n\n---\n\n')).toHaveLength(2);
  });

  it('fails with one clear message for a dead URL', async () => {
    const port = await freePort();
    const error = await runAsk(['-m', `vllm:http://127.0.0.1:${port}/v1#m`, 'hi', '--retries', '0']).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as Error).message).toMatch(/could not connect to .*connection refused/);
  });

  it('refuses bad flags and bad specs as ConfigError', async () => {
    await expect(
      runAsk(['-m', `llama-server:${server.baseUrl}`, 'hi', '--max-tokens', 'lots']),
    ).rejects.toThrow(/--max-tokens must be/);
    await expect(runAsk(['-m', 'nonsense', 'hi'])).rejects.toBeInstanceOf(ConfigError);
  });
});
