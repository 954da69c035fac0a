import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PrivacyError } from '../errors.js';
import type { EgressRecord } from '../models/egress-record.js';
import type { LanguageModel } from '../models/language-model.js';
import { withCallContext } from '../models/middleware/call-context.js';
import { wrapModel } from '../models/middleware/model-middleware.js';
import { createOpenAICompatibleModel } from '../models/openai-compatible-model.js';
import { withEgressContext } from './egress-context.js';
import { checkEndpoint } from './endpoint-check.js';
import { pinnedFetch } from './pinned-fetch.js';
import { privacyPolicySchema } from './policy.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(
  host: string,
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ port: number; connections: () => number }> {
  const server = createServer(handler);
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, host);
  await once(server, 'listening');
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

const completion = JSON.stringify({
  id: 'x',
  object: 'chat.completion',
  created: 0,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'OK' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
});

describe('pinnedFetch', () => {
  it('connects to the pinned address whatever the name, and logs each request with its stage and item', async () => {
    let seenHost: string | undefined;
    const server = await serve('127.0.0.2', (request, response) => {
      seenHost = request.headers.host;
      request.resume();
      response.setHeader('content-type', 'application/json');
      response.end(completion);
    });
    // `teacher.test` exists in no DNS: only the pin can take the request to 127.0.0.2.
    const policy = privacyPolicySchema.parse({ mode: 'allow-list', allow: ['teacher.test'] });
    const spec = `vllm:http://teacher.test:${server.port}/v1#m`;
    const endpoint = await checkEndpoint(spec, policy, {
      lookup: async () => [{ address: '127.0.0.2', family: 4 }],
    });
    if (endpoint.kind !== 'network') throw new Error('expected a network endpoint');
    const records: EgressRecord[] = [];
    const model: LanguageModel = wrapModel(
      createOpenAICompatibleModel({
        baseUrl: `http://teacher.test:${server.port}/v1`,
        model: 'm',
        fetch: pinnedFetch({
          endpoint,
          recorder: { record: (entry) => void records.push(entry) },
          modelId: 'x',
        }),
      }),
      withEgressContext(),
    );
    const response = await withCallContext(model, { stage: 'explain', itemId: 'item-7' }).generate({
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(response.choices[0]?.text).toBe('OK');
    expect(seenHost).toBe(`teacher.test:${server.port}`);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      host: 'teacher.test',
      address: '127.0.0.2',
      port: server.port,
      local: true,
      stage: 'explain',
      itemId: 'item-7',
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      bytesReceived: Buffer.byteLength(completion),
    });
    expect(records[0]!.bytesSent).toBeGreaterThan('hello'.length);
  });

  it('refuses a redirect and a request to another origin', async () => {
    const target = await serve('127.0.0.1', (_request, response) => response.end('moved data'));
    const redirecting = await serve('127.0.0.1', (request, response) => {
      request.resume();
      response.statusCode = 307;
      response.setHeader('location', `http://127.0.0.1:${target.port}/v1/chat/completions`);
      response.end();
    });
    const endpoint = await checkEndpoint(
      `llama-server:http://127.0.0.1:${redirecting.port}#x`,
      privacyPolicySchema.parse({}),
    );
    if (endpoint.kind !== 'network') throw new Error('expected a network endpoint');
    const fetch = pinnedFetch({ endpoint });
    await expect(
      fetch(`http://127.0.0.1:${redirecting.port}/v1/chat/completions`, { method: 'POST', body: '{}' }),
    ).rejects.toThrow(/redirect \(307\).*not followed/);
    await expect(fetch(`http://127.0.0.1:${target.port}/v1/models`)).rejects.toBeInstanceOf(PrivacyError);
    expect(target.connections()).toBe(0);
  });
});
