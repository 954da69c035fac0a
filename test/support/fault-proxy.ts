import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to one request instead of (or on the way to) passing it through. */
export type Fault =
  /** 429 with `retry-after` (seconds) or `retry-after-ms`; never reaches the server. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number; retryAfterMs?: number }
  /** An error status with an OpenAI-style error body; never reaches the server. */
  | { kind: 'status'; status: number; message?: string }
  /** Waits before forwarding; a client that gives up meanwhile never reaches the server. */
  | { kind: 'delay'; ms: number }
  /** Forwards, then sends the headers and half the body and cuts the connection. */
  | { kind: 'truncate' }
  /** 200 with a body that is not a chat completion (bad JSON by default). */
  | { kind: 'malformed'; body?: string }
  /** Closes the socket without any response. */
  | { kind: 'reset' }
  /** Keeps the request open and unanswered until the client goes away. */
  | { kind: 'hold' };

export interface ProxyCounts {
  /** Requests received from clients. */
  requests: number;
  /** Requests passed on to the server. */
  forwarded: number;
  /** 2xx answers the server gave: the server's successful calls. */
  upstreamSuccesses: number;
  /** Complete responses written to clients. */
  delivered: number;
  /** Requests currently held open by a `hold` fault. */
  held: number;
  /** Forwarded requests still waiting for the server. */
  inFlight: number;
  /** The most forwarded requests ever waiting for the server at once. */
  maxInFlight: number;
  faults: Record<string, number>;
}

/** Chooses a fault for request number `requestNumber` (1-based), or undefined to pass it through. */
export type FaultPolicy = (requestNumber: number, body: string) => Fault | undefined;

export interface FaultProxy {
  /** The OpenAI-compatible base URL through the proxy. */
  baseUrl: string;
  counts: ProxyCounts;
  /** Faults for the next requests, one each, in order (after the policy, if it returns none). */
  plan(...faults: Fault[]): void;
  setPolicy(policy: FaultPolicy | undefined): void;
  /** Rewrites request bodies before they are forwarded (e.g. to drop a field a server ignores). */
  setRewrite(rewrite: ((body: string) => string) | undefined): void;
  /** The bodies of the last 100 requests received, oldest first. */
  bodies: string[];
  close(): Promise<void>;
}

/** Starts an HTTP proxy on 127.0.0.1 in front of `upstreamOrigin` (e.g. `http://127.0.0.1:8080`). */
export async function startFaultProxy(upstreamOrigin: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamOrigin);
  const counts: ProxyCounts = {
    requests: 0,
    forwarded: 0,
    upstreamSuccesses: 0,
    delivered: 0,
    held: 0,
    inFlight: 0,
    maxInFlight: 0,
    faults: {},
  };
  const planned: Fault[] = [];
  let policy: FaultPolicy | undefined;
  let rewrite: ((body: string) => string) | undefined;
  const bodies: string[] = [];

  const forward = (incoming: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((done, fail) => {
      counts.forwarded += 1;
      counts.inFlight += 1;
      counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
      const outgoing = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: upstream.host, 'content-length': String(body.length) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            counts.inFlight -= 1;
            const status = response.statusCode ?? 502;
            if (status >= 200 && status < 300) counts.upstreamSuccesses += 1;
            const headers: Record<string, string> = {};
            const type = response.headers['content-type'];
            if (type) headers['content-type'] = type;
            done({ status, headers, body: Buffer.concat(chunks) });
          });
          response.on('error', fail);
        },
      );
      outgoing.on('error', (error) => {
        counts.inFlight -= 1;
        fail(error);
      });
      outgoing.end(body);
    });

  const deliver = (
    response: ServerResponse,
    status: number,
    headers: Record<string, string>,
    body: Buffer | string,
  ) => {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    response.on('finish', () => {
      counts.delivered += 1;
    });
    response.writeHead(status, { ...headers, 'content-length': String(bytes.length) });
    response.end(bytes);
  };

  const handle = async (incoming: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const received = Buffer.concat(chunks);
    bodies.push(received.toString('utf8'));
    if (bodies.length > 100) bodies.shift();
    const body = rewrite ? Buffer.from(rewrite(received.toString('utf8'))) : received;
    counts.requests += 1;
    const fault = policy?.(counts.requests, body.toString('utf8')) ?? planned.shift();
    if (fault) counts.faults[fault.kind] = (counts.faults[fault.kind] ?? 0) + 1;
    let clientGone = false;
    response.on('close', () => {
      clientGone = !response.writableFinished;
    });
    const json = { 'content-type': 'application/json' };
    switch (fault?.kind) {
      case 'rate-limit': {
        const headers: Record<string, string> = { ...json };
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        deliver(response, 429, headers, errorBody('Rate limit reached, slow down', 'rate_limit_exceeded'));
        return;
      }
      case 'status':
        deliver(
          response,
          fault.status,
          json,
          errorBody(fault.message ?? `injected ${fault.status}`, 'injected'),
        );
        return;
      case 'malformed':
        deliver(response, 200, json, fault.body ?? '{"choices": [{"message": {"content": "cut');
        return;
      case 'reset':
        response.socket?.destroy();
        return;
      case 'hold':
        counts.held += 1;
        response.on('close', () => {
          counts.held -= 1;
        });
        return;
      case 'delay':
        await new Promise((done) => setTimeout(done, fault.ms));
        if (clientGone || response.destroyed) return;
        break;
      default:
        break;
    }
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(incoming, body);
    } catch (error) {
      if (!response.destroyed) deliver(response, 502, json, errorBody(`proxy: ${String(error)}`, 'proxy'));
      return;
    }
    if (response.destroyed) return;
    if (fault?.kind === 'truncate') {
      response.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      response.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)));
      setTimeout(() => response.socket?.destroy(), 20);
      return;
    }
    deliver(response, answer.status, answer.headers, answer.body);
  };

  const server: Server = createServer((incoming, response) => {
    handle(incoming, response).catch(() => response.socket?.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    counts,
    plan: (...faults) => planned.push(...faults),
    setPolicy: (next) => {
      policy = next;
    },
    setRewrite: (next) => {
      rewrite = next;
    },
    bodies,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function errorBody(message: string, type: string): string {
  return JSON.stringify({ error: { message, type, code: type } });
}
