import type { LookupAddress, LookupOptions } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { PrivacyError } from '../errors.js';
import type { EgressRecord, EgressRecorder } from '../models/egress-record.js';
import { currentEgressContext } from './egress-context.js';
import type { NetworkEndpoint } from './endpoint-check.js';

export interface PinnedFetchOptions {
  endpoint: NetworkEndpoint;
  /** Every request is recorded here, local or not. */
  recorder?: EgressRecorder;
  modelId?: string;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `fetch` for the `openai` client that can reach one endpoint only: requests to any other
 * origin are refused, the connection goes to the address pinned when the run was checked (TLS
 * still verifies the host name), redirects are never followed, and each request's sizes go to the
 * egress log. Bodies are buffered, which is what the client's non-streaming calls do anyway.
 */
export function pinnedFetch(options: PinnedFetchOptions): typeof fetch {
  const { endpoint } = options;
  const secure = endpoint.url.protocol === 'https:';
  const pinned = { address: endpoint.address, family: endpoint.family };
  const lookup = (_hostname: string, lookupOptions: LookupOptions, callback: LookupCallback) => {
    if (lookupOptions.all) callback(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== endpoint.url.origin) {
      throw new PrivacyError(
        `refused a request to ${url.origin}: this model may reach ${endpoint.url.origin} only`,
      );
    }
    const body = Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      // Node's http does not decompress; ask for plain bodies.
      if (name !== 'accept-encoding') headers[name] = value;
    });
    headers['content-length'] = String(body.length);
    const context = currentEgressContext();
    const startedAt = new Date();
    const started = performance.now();
    // Queued before the response is handed on, so the row commits no later than the call log's
    // row for the same call. Not awaited: a log that cannot be written must not fail the call.
    const record = (status: number | undefined, bytesReceived: number, errorCode?: string) => {
      if (!options.recorder) return;
      const entry: EgressRecord = {
        startedAt,
        host: endpoint.host,
        address: endpoint.address,
        port: Number(url.port || (secure ? 443 : 80)),
        local: endpoint.local,
        ...(options.modelId === undefined ? {} : { modelId: options.modelId }),
        ...(context?.stage === undefined ? {} : { stage: context.stage }),
        ...(context?.itemId === undefined ? {} : { itemId: context.itemId }),
        method: request.method,
        path: url.pathname,
        ...(status === undefined ? {} : { status }),
        bytesSent: body.length,
        bytesReceived,
        durationMs: performance.now() - started,
        ...(errorCode === undefined ? {} : { errorCode }),
      };
      try {
        Promise.resolve(options.recorder.record(entry)).catch(() => undefined);
      } catch {
        // As above: the request went out either way.
      }
    };
    const transport = secure ? https : http;
    return new Promise<Response>((resolve, reject) => {
      const outgoing = transport.request(
        url,
        {
          method: request.method,
          headers,
          agent,
          lookup,
          ...(init?.signal ? { signal: init.signal } : {}),
          ...(secure ? { servername: endpoint.host } : {}),
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          let received = 0;
          incoming.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            received += chunk.length;
          });
          incoming.on('error', (error) => {
            record(incoming.statusCode, received, codeOf(error));
            reject(error);
          });
          incoming.on('end', () => {
            const status = incoming.statusCode ?? 0;
            record(status, received);
            if (status >= 300 && status < 400) {
              const location = incoming.headers.location ?? '(no location)';
              reject(
                new PrivacyError(
                  `${endpoint.url.origin} answered with a redirect (${status}) to ${location}; redirects are not followed, so data cannot be moved to another host`,
                ),
              );
              return;
            }
            resolve(toResponse(status, incoming, Buffer.concat(chunks)));
          });
        },
      );
      outgoing.on('error', (error) => {
        record(undefined, 0, codeOf(error));
        reject(error);
      });
      outgoing.end(body);
    });
  };
}

function toResponse(status: number, incoming: http.IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value === undefined) continue;
    for (const each of Array.isArray(value) ? value : [value]) headers.append(name, each);
  }
  const empty = status === 204 || status === 205 || status === 304;
  return new Response(empty ? null : body, {
    status,
    statusText: incoming.statusMessage ?? '',
    headers,
  });
}

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error';
}
