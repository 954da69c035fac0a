import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { serve } from '@hono/node-server';
import { ConfigError } from '../errors.js';
import { checkBindOptions } from './access-rule.js';
import { RunSource } from './run-source.js';
import { createViewApp } from './view-app.js';

export interface ViewServerOptions {
  directory: string;
  /** Default 127.0.0.1; anything not loopback needs `token`. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  token?: string;
  readOnly?: boolean;
  /** A second run directory for the side-by-side pages. */
  compare?: string;
  /** The name review forms start with (default: the account name). */
  reviewer?: string;
}

export interface ViewServer {
  /** The console's address (with `?token=` when one is set, so the first visit carries it). */
  url: string;
  close(): Promise<void>;
}

function checkRunDirectory(directory: string): string {
  const path = resolve(directory);
  if (!existsSync(path)) throw new ConfigError(`run directory not found: ${path}`);
  return path;
}

/** `medistill view`: serves the review console for a run directory until closed. */
export async function runViewServer(options: ViewServerOptions): Promise<ViewServer> {
  const host = options.host ?? '127.0.0.1';
  checkBindOptions(host, options.token);
  const source = new RunSource(checkRunDirectory(options.directory), { readOnly: options.readOnly ?? false });
  const compare = options.compare
    ? new RunSource(checkRunDirectory(options.compare), { readOnly: true })
    : undefined;
  const settings = {
    source,
    ...(compare ? { compare } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    host,
    port: 0,
    reviewer: options.reviewer ?? userInfo().username,
  };
  const app = createViewApp(settings);
  const server = await new Promise<ReturnType<typeof serve>>((resolveServer, reject) => {
    const started = serve({ fetch: app.fetch, hostname: host, port: options.port ?? 0 }, () =>
      resolveServer(started),
    );
    started.once('error', reject);
  });
  // The Host check needs the port actually bound (0 picks one).
  settings.port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const token = options.token !== undefined ? `?token=${encodeURIComponent(options.token)}` : '';
  return {
    url: `http://${shownHost}:${settings.port}/${token}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          source.close();
          compare?.close();
          done();
        });
        // A browser keeps idle connections open for minutes; requests in flight get a second to finish.
        if ('closeIdleConnections' in server) {
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 1000).unref();
        }
      }),
  };
}
