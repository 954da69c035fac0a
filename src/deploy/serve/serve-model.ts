import { timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename } from 'node:path';
import { z } from 'zod';
import { llamaServerBinary } from '../../engines/llama-cpp/llama-server-binary.js';
import { ConfigError } from '../../errors.js';
import { metadataValue } from '../../gguf/gguf-types.js';
import { readGgufHeader } from '../../gguf/read-gguf.js';
import { LlamaServerProcess } from './llama-server-process.js';
import { checkServeAccess } from './loopback.js';

export interface ServeOptions {
  model: string;
  adapter?: string;
  /** A vision model's image encoder and projector (mmproj GGUF): the API then takes images. */
  projector?: string;
  /** Default 127.0.0.1. Any other address needs `apiKey`. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  apiKey?: string;
  /** The model id clients send and /v1/models lists (default: the file name without .gguf). */
  name?: string;
  /** Requests llama-server answers at once (default 4). */
  parallel?: number;
  /** Requests admitted at once, running and waiting for a slot; beyond this, 429 (default 4 × parallel). */
  maxConcurrent?: number;
  /** Largest request body accepted, in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Context per request in tokens (default: the model's own, at most 4096). */
  contextSize?: number;
  threads?: number;
  /** How long shutdown waits for requests in flight (default 10 s). */
  shutdownGraceMs?: number;
  /** The llama-server binary (default: the cached build, see llamaServerBinary). */
  binary?: string;
}

export interface RunningModelServer {
  /** e.g. http://127.0.0.1:8080 */
  origin: string;
  /** The OpenAI-compatible base URL: `${origin}/v1`. */
  baseUrl: string;
  modelName: string;
  /** The supervised llama-server (its pid, for tests that kill it). */
  upstream: LlamaServerProcess;
  /** Stop taking requests, let those in flight finish (up to the grace period), stop llama-server. */
  close(): Promise<void>;
}

/** Lenient, as for anything a client sends: only what we act on is checked. */
const chatRequestSchema = z.looseObject({
  messages: z.array(z.unknown()).min(1, 'messages must hold at least one message'),
  stream: z.boolean().optional(),
});

function sendError(response: ServerResponse, status: number, message: string, code: string): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    'content-type': 'application/json',
    ...(status === 429 ? { 'retry-after': '1' } : {}),
  });
  response.end(
    JSON.stringify({
      error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code },
    }),
  );
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

function keyMatches(header: string | undefined, apiKey: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(apiKey);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The body, or undefined after answering 413 when it is larger than the limit. */
async function readBody(
  request: IncomingMessage,
  response: ServerResponse,
  limit: number,
): Promise<Buffer | undefined> {
  const tooLarge = () => {
    sendError(response, 413, `request body larger than ${limit} bytes`, 'request_too_large');
    request.resume();
  };
  if (Number(request.headers['content-length'] ?? 0) > limit) {
    tooLarge();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      tooLarge();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * `medistill serve`: an OpenAI-compatible API for a GGUF student. llama-server (built from the
 * llama.cpp source node-llama-cpp bundles) does the inference on a private loopback port; this
 * front server adds what a deployment needs: an API key (required beyond loopback), request-size
 * and concurrency limits, restart of a crashed llama-server with a clear error for the requests it
 * cut, and a graceful shutdown. Why llama-server rather than node-llama-cpp in-process:
 * docs/decisions/0014-serve-through-llama-server.md.
 */
export async function serveModel(options: ServeOptions): Promise<RunningModelServer> {
  const host = options.host ?? '127.0.0.1';
  const apiKey = options.apiKey || undefined;
  checkServeAccess(host, apiKey);
  const header = await readGgufHeader(options.model);
  if (options.adapter) await readGgufHeader(options.adapter);
  if (options.projector) await readGgufHeader(options.projector);
  const architecture = String(metadataValue(header.metadata, 'general.architecture') ?? 'llama');
  const trainedContext = Number(metadataValue(header.metadata, `${architecture}.context_length`) ?? 4096);
  const parallel = options.parallel ?? 4;
  const maxConcurrent = options.maxConcurrent ?? parallel * 4;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const modelName = options.name ?? basename(options.model).replace(/\.gguf$/i, '');
  const upstream = new LlamaServerProcess({
    binary: options.binary ?? (await llamaServerBinary()),
    model: options.model,
    ...(options.adapter ? { adapter: options.adapter } : {}),
    ...(options.projector ? { projector: options.projector } : {}),
    contextSize: options.contextSize ?? Math.min(trainedContext, 4096),
    parallel,
    threads: options.threads ?? 1,
  });
  const inFlight = new Set<ServerResponse>();
  let crashReason: string | undefined;
  upstream.onCrash((reason) => {
    crashReason = reason;
  });

  const proxyChat = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request, response, maxBodyBytes);
    if (!body) return;
    let parsed: z.infer<typeof chatRequestSchema>;
    try {
      const checked = chatRequestSchema.safeParse(JSON.parse(body.toString('utf8')));
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        sendError(response, 400, `${issue.path.join('.') || 'body'}: ${issue.message}`, 'invalid_request');
        return;
      }
      parsed = checked.data;
    } catch {
      sendError(response, 400, 'the request body is not valid JSON', 'invalid_json');
      return;
    }
    try {
      await upstream.ready();
    } catch (error) {
      sendError(
        response,
        503,
        `the model server is not available: ${(error as Error).message}`,
        'upstream_unavailable',
      );
      return;
    }
    const payload = Buffer.from(JSON.stringify({ ...parsed, model: modelName }));
    await new Promise<void>((resolve) => {
      const forward = httpRequest(
        `${upstream.origin}/v1/chat/completions`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': payload.length },
          // A fresh connection each time: a kept-alive socket llama-server has just closed reads as a crash.
          agent: false,
        },
        (upstreamResponse) => {
          response.writeHead(upstreamResponse.statusCode ?? 502, {
            'content-type': upstreamResponse.headers['content-type'] ?? 'application/json',
            ...(parsed.stream ? { 'cache-control': 'no-cache' } : {}),
          });
          upstreamResponse.pipe(response);
          upstreamResponse.on('end', resolve);
          upstreamResponse.on('error', () => cut(resolve));
          upstreamResponse.on('aborted', () => cut(resolve));
        },
      );
      // The client went away: stop generating for it.
      response.on('close', () => {
        forward.destroy();
        resolve();
      });
      forward.on('error', () => cut(resolve));
      forward.end(payload);
    });

    /** llama-server died under this request: say so plainly, in whatever shape the client expects. */
    function cut(done: () => void): void {
      setTimeout(() => {
        const message = `${crashReason ?? 'llama-server closed the connection'} while answering this request; it is being restarted, retry the request`;
        if (!response.headersSent) sendError(response, 502, message, 'upstream_crashed');
        else if (!response.writableEnded) {
          response.end(
            `data: ${JSON.stringify({ error: { message, type: 'server_error', code: 'upstream_crashed' } })}\n\n`,
          );
        }
        done();
      }, 100);
    }
  };

  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/health' && request.method === 'GET') {
      const up = upstream.pid !== undefined;
      sendJson(response, up ? 200 : 503, { status: up ? 'ok' : 'starting', model: modelName });
      return;
    }
    if (apiKey && !keyMatches(request.headers.authorization, apiKey)) {
      sendError(response, 401, 'missing or wrong API key (Authorization: Bearer <key>)', 'invalid_api_key');
      request.resume();
      return;
    }
    if (path === '/v1/models' && request.method === 'GET') {
      sendJson(response, 200, {
        object: 'list',
        data: [
          { id: modelName, object: 'model', created: Math.floor(Date.now() / 1000), owned_by: 'medistill' },
        ],
      });
      return;
    }
    if (path === '/v1/chat/completions' && request.method === 'POST') {
      if (inFlight.size >= maxConcurrent) {
        sendError(response, 429, `too many requests in flight (limit ${maxConcurrent})`, 'too_many_requests');
        request.resume();
        return;
      }
      inFlight.add(response);
      response.on('close', () => inFlight.delete(response));
      proxyChat(request, response).catch((error: unknown) => {
        sendError(response, 500, (error as Error).message, 'internal_error');
      });
      return;
    }
    sendError(response, 404, `no route ${request.method} ${path}`, 'not_found');
    request.resume();
  });

  const port = options.port ?? 8080;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new ConfigError(`port ${port} on ${host} is in use (pick another with --port)`, { cause: error }),
        );
      else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        reject(
          new ConfigError(`cannot bind to --host ${host}: no such address on this machine`, { cause: error }),
        );
      else reject(error);
    });
    server.listen(port, host, () => resolve());
  });
  try {
    await upstream.start();
  } catch (error) {
    server.close();
    throw error;
  }
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    baseUrl: `${origin}/v1`,
    modelName,
    upstream,
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + (options.shutdownGraceMs ?? 10_000);
        while (inFlight.size > 0 && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 50));
        server.closeAllConnections();
        await closed;
        await upstream.stop();
      })();
      return closing;
    },
  };
}
