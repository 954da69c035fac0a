/**
 * `serveModel` against the official `openai` client: a real llama-server over a tiny model, on
 * loopback only. The "key required beyond loopback" rule is tested on the check itself, never by
 * binding to another address.
 */
import { createServer } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServeAccess, isLoopbackHost } from '../../src/deploy/serve/loopback.js';
import { type RunningModelServer, serveModel } from '../../src/deploy/serve/serve-model.js';
import { createTinyModel } from '../support/llama-server.js';
import { temporaryDirectory } from '../support/paths.js';

const apiKey = 'test-key-123';
let modelPath: string;
let server: RunningModelServer;
let client: OpenAI;

beforeAll(async () => {
  modelPath = await createTinyModel(await temporaryDirectory('serve-'));
  server = await serveModel({
    model: modelPath,
    port: 0,
    apiKey,
    parallel: 2,
    maxConcurrent: 6,
    maxBodyBytes: 4096,
  });
  client = new OpenAI({ baseURL: server.baseUrl, apiKey, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

const ask = (content: string, maxTokens = 8) =>
  client.chat.completions.create({
    model: server.modelName,
    messages: [{ role: 'user', content }],
    max_tokens: maxTokens,
    temperature: 0,
  });

describe('medistill serve', () => {
  it('answers a chat completion and lists its model', async () => {
    const completion = await ask('Which is the most appropriate next step?');
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['tiny']);
    const health = await fetch(`${server.origin}/health`);
    expect(await health.json()).toEqual({ status: 'ok', model: 'tiny' });
  });

  it('streams, and the streamed text equals the non-streamed one (greedy)', async () => {
    const whole = await ask('A patient presents with fever', 12);
    const stream = await client.chat.completions.create({
      model: server.modelName,
      messages: [{ role: 'user', content: 'A patient presents with fever' }],
      max_tokens: 12,
      temperature: 0,
      stream: true,
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      chunks += 1;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toBe(whole.choices[0]?.message.content);
  });

  it('serves concurrent clients, and refuses beyond the concurrency limit with 429', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => ask(`case ${i}: cough and fever`)));
    expect(answers.every((answer) => answer.choices.length === 1)).toBe(true);
    const burst = await Promise.allSettled(Array.from({ length: 14 }, () => ask('pleuritic chest pain', 64)));
    const refused = burst.filter(
      (outcome) => outcome.status === 'rejected' && (outcome.reason as { status?: number }).status === 429,
    );
    expect(refused.length).toBeGreaterThan(0);
    expect(burst.filter((outcome) => outcome.status === 'fulfilled').length).toBeGreaterThanOrEqual(6);
  });

  it('requires the API key, and limits the request size', async () => {
    const stranger = new OpenAI({ baseURL: server.baseUrl, apiKey: 'wrong', maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toMatchObject({ status: 401 });
    await expect(ask('x'.repeat(5000))).rejects.toMatchObject({ status: 413 });
  });

  it('restarts a crashed llama-server; the request in flight gets a clear error', async () => {
    const pid = server.upstream.pid!;
    // Frozen first, so the request is surely in flight (queued on its socket) when it dies.
    process.kill(pid, 'SIGSTOP');
    const inFlight = ask('A long answer about fever, cough and chest pain', 64);
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(pid, 'SIGKILL');
    await expect(inFlight).rejects.toThrow(
      /llama-server stopped unexpectedly \(SIGKILL\) while answering this request; it is being restarted, retry the request/,
    );
    const after = await ask('Is it back?');
    expect(after.choices.length).toBe(1);
    expect(server.upstream.pid).not.toBe(pid);
  });
});

describe('bad input to serve', () => {
  it('refuses a host beyond loopback without a key (checked without binding)', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('127.4.5.6')).toBe(true);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.10')).toBe(false);
    expect(() => checkServeAccess('0.0.0.0', undefined)).toThrow(
      /--host 0\.0\.0\.0 is reachable from other machines: set an API key with --api-key or MEDISTILL_API_KEY/,
    );
    expect(() => checkServeAccess('0.0.0.0', 'a-key')).not.toThrow();
    expect(() => checkServeAccess('127.0.0.1', undefined)).not.toThrow();
  });

  it('says when the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(serveModel({ model: modelPath, port })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is in use (pick another with --port)`,
      );
    } finally {
      blocker.close();
    }
  });

  it('says when the model is not a GGUF', async () => {
    await expect(serveModel({ model: new URL(import.meta.url).pathname, port: 0 })).rejects.toThrow(
      /not a GGUF file/,
    );
  });
});
