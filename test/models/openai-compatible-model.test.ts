import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiCallError } from '../../src/errors.js';
import { parseFiniteJson, parseJsonOutput } from '../../src/models/openai-compatible-json-output.js';
import {
  createOpenAICompatibleModel,
  createServerModelFromSpec,
} from '../../src/models/openai-compatible-model.js';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.js';
import {
  freePort,
  type RunningLlamaServer,
  startLlamaServer,
  startTinyLlamaServer,
} from '../support/llama-server.js';

const question = [
  { role: 'user' as const, content: 'A 54-year-old man presents with fever and cough. Answer?' },
];
const answerSchema = {
  type: 'object',
  properties: { answer: { type: 'string', enum: ['A', 'B', 'C', 'D'] } },
  required: ['answer'],
};

describe('OpenAI-compatible adapter against a real llama-server', () => {
  let server: RunningLlamaServer & { modelPath: string };
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await startTinyLlamaServer();
    proxy = await startFaultProxy(server.origin);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it('generates text with usage, finish reason and the server-reported model name', async () => {
    const model = createServerModelFromSpec(`llama-server:${server.baseUrl}#tiny`);
    const response = await model.generate({ messages: question, maxTokens: 12, temperature: 0, seed: 1 });
    expect(response.choices).toHaveLength(1);
    expect(response.usage.promptTokens).toBeGreaterThan(0);
    expect(response.usage.completionTokens).toBeGreaterThan(0);
    expect(response.usage.completionTokens).toBeLessThanOrEqual(12);
    expect(['stop', 'length']).toContain(response.choices[0]?.finishReason);
    expect(response.modelName).toContain('tiny');
    expect(model.id).toBe(`openai-compatible:${server.baseUrl}#tiny`);
  });

  it('leaves no abort listener behind on a signal shared by many calls', async () => {
    const model = createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'tiny' });
    const run = new AbortController();
    for (let call = 0; call < 12; call++) {
      await model.generate({ messages: question, maxTokens: 2, temperature: 0 }, { signal: run.signal });
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('passes sampling parameters: greedy is repeatable, different seeds differ', async () => {
    const model = createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'tiny' });
    const greedy = { messages: question, maxTokens: 24, temperature: 0 };
    const first = await model.generate(greedy);
    const second = await model.generate(greedy);
    expect(second.choices[0]?.text).toBe(first.choices[0]?.text);
    const texts = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const sampled = await model.generate({ messages: question, maxTokens: 24, temperature: 1.5, seed });
      texts.add(sampled.choices[0]?.text ?? '');
    }
    expect(texts.size).toBeGreaterThan(1);
  });

  it('returns n samples from one request when the server supports n', async () => {
    const model = createOpenAICompatibleModel({ baseUrl: proxy.baseUrl, model: 'tiny' });
    const before = proxy.counts.requests;
    const response = await model.generate({
      messages: question,
      maxTokens: 8,
      temperature: 1,
      seed: 5,
      n: 3,
    });
    expect(response.choices).toHaveLength(3);
    expect(proxy.counts.requests - before).toBe(1);
  });

  it('asks again for the missing samples when a server ignores n', async () => {
    proxy.setRewrite((body) => JSON.stringify({ ...JSON.parse(body), n: undefined }));
    try {
      const model = createOpenAICompatibleModel({ baseUrl: proxy.baseUrl, model: 'tiny' });
      const before = proxy.counts.requests;
      const response = await model.generate({
        messages: question,
        maxTokens: 8,
        temperature: 1,
        seed: 5,
        n: 3,
      });
      expect(response.choices).toHaveLength(3);
      expect(proxy.counts.requests - before).toBe(3);
      const seeds = proxy.bodies.slice(-3).map((body) => JSON.parse(body).seed);
      expect(seeds).toEqual([5, 6, 7]);
    } finally {
      proxy.setRewrite(undefined);
    }
  });

  for (const structuredOutput of ['auto', 'response-format', 'json-schema-field'] as const) {
    it(`constrains output to a JSON schema (${structuredOutput})`, async () => {
      const model = createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'tiny', structuredOutput });
      const response = await model.generate({
        messages: question,
        maxTokens: 48,
        temperature: 1,
        seed: 11,
        n: 6,
        jsonSchema: answerSchema,
      });
      expect(response.choices).toHaveLength(6);
      for (const choice of response.choices) {
        // A random-weight model writes `{"answer"` only because the grammar forces it.
        expect(choice.text.replace(/\s+/g, '')).toMatch(/^\{"answer"/);
        if (choice.finishReason === 'stop') {
          const value = parseJsonOutput(choice.text, z.object({ answer: z.enum(['A', 'B', 'C', 'D']) }));
          expect(['A', 'B', 'C', 'D']).toContain(value.answer);
        }
      }
    });
  }

  it('falls back to the json_schema body field when the server refuses response_format', async () => {
    proxy.setPolicy((_, body) =>
      body.includes('"response_format"')
        ? { kind: 'status', status: 500, message: 'Failed to initialize samplers' }
        : undefined,
    );
    try {
      const model = createOpenAICompatibleModel({
        baseUrl: proxy.baseUrl,
        model: 'tiny',
        structuredOutput: 'auto',
      });
      const before = proxy.counts.requests;
      for (const seed of [1, 2]) {
        const response = await model.generate({
          messages: question,
          maxTokens: 32,
          seed,
          jsonSchema: answerSchema,
        });
        expect(response.choices[0]?.text.replace(/\s+/g, '')).toMatch(/^\{"answer"/);
      }
      const sent = proxy.bodies.slice(-3).map((body) => JSON.parse(body));
      expect(proxy.counts.requests - before).toBe(3);
      expect(sent[0].response_format.json_schema.schema).toEqual(answerSchema);
      expect(sent[1].json_schema).toEqual(answerSchema);
      // Learned: the second call goes straight to the field.
      expect(sent[2].json_schema).toEqual(answerSchema);
      expect(sent[2].response_format).toBeUndefined();
    } finally {
      proxy.setPolicy(undefined);
    }
  });

  it('returns per-token log-probabilities', async () => {
    const model = createOpenAICompatibleModel({ baseUrl: server.baseUrl, model: 'tiny' });
    const response = await model.generate({
      messages: question,
      maxTokens: 6,
      temperature: 0,
      logprobs: true,
    });
    const logprobs = response.choices[0]?.logprobs ?? [];
    expect(logprobs).toHaveLength(response.usage.completionTokens);
    for (const entry of logprobs) expect(entry.logprob).toBeLessThanOrEqual(0);
  });

  it('sends images as base64 data URLs in user messages', async () => {
    const model = createOpenAICompatibleModel({ baseUrl: proxy.baseUrl, model: 'tiny' });
    const image = new Uint8Array([137, 80, 78, 71, 1, 2, 3, 4]);
    // The tiny server has no vision projector, so it refuses; the request on the wire is what counts.
    await model
      .generate({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is shown?' },
              { type: 'image', mediaType: 'image/png', data: image },
            ],
          },
        ],
        maxTokens: 4,
      })
      .catch((error: unknown) => {
        expect(error).toBeInstanceOf(ApiCallError);
        expect((error as ApiCallError).message).toContain('image input is not supported');
      });
    const sent = JSON.parse(proxy.bodies.at(-1) ?? '{}');
    expect(sent.messages[0].content[1]).toEqual({
      type: 'image_url',
      image_url: { url: `data:image/png;base64,${Buffer.from(image).toString('base64')}` },
    });
  });

  it('marks a schema choice that is not usable JSON', () => {
    expect(parseFiniteJson('{"a": 98e800}')).toBeUndefined();
    expect(parseFiniteJson('{"a": 1}')).toEqual({ a: 1 });
    expect(() => parseJsonOutput('{"a": 1e999}', z.object({ a: z.number() }))).toThrow(/not valid JSON/);
  });
});

describe('clear errors for dead URLs, bad keys and unknown models', () => {
  it('a dead URL is one retryable message, not a stack trace', async () => {
    const port = await freePort();
    const model = createServerModelFromSpec(`openai-compatible:http://127.0.0.1:${port}/v1#tiny`);
    const error = await model.generate({ messages: question }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiCallError);
    expect((error as ApiCallError).message).toBe(
      `could not connect to http://127.0.0.1:${port}/v1: connection refused; is the server running?`,
    );
    expect((error as ApiCallError).isRetryable).toBe(true);
  });

  it('a bad key names the fix and never shows the key', async () => {
    const { modelPath, stop } = await startTinyLlamaServer();
    const guarded = await startLlamaServer({ modelPath, extraArgs: ['--api-key', 'the-right-key'] });
    try {
      const model = createServerModelFromSpec(`openai-compatible:${guarded.baseUrl}#tiny?key_env=TEST_KEY`, {
        environment: { TEST_KEY: 'sk-wrong-secret-key-123' },
      });
      const error = await model
        .generate({ messages: question, maxTokens: 2 })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiCallError);
      const apiError = error as ApiCallError;
      expect(apiError.status).toBe(401);
      expect(apiError.isRetryable).toBe(false);
      expect(apiError.message).toMatch(/rejected the API key \(401\)/);
      expect(`${apiError.message} ${apiError.responseBody} ${String(apiError.cause)}`).not.toContain(
        'wrong-secret',
      );
      const right = createServerModelFromSpec(`openai-compatible:${guarded.baseUrl}#tiny?key_env=TEST_KEY`, {
        environment: { TEST_KEY: 'the-right-key' },
      });
      expect((await right.generate({ messages: question, maxTokens: 2 })).choices).toHaveLength(1);
    } finally {
      await guarded.stop();
      await stop();
    }
  });

  it('an unknown model name (404) is not retryable and names the model', async () => {
    const upstream = await startTinyLlamaServer();
    const proxy = await startFaultProxy(upstream.origin);
    try {
      proxy.plan({ kind: 'status', status: 404, message: 'model "gpt-9" not found' });
      const model = createOpenAICompatibleModel({ baseUrl: proxy.baseUrl, model: 'gpt-9' });
      const error = await model.generate({ messages: question }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApiCallError);
      expect((error as ApiCallError).isRetryable).toBe(false);
      expect((error as ApiCallError).message).toContain('has no model "gpt-9"');
    } finally {
      await proxy.close();
      await upstream.stop();
    }
  });
});
