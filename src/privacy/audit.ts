import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import type { EgressByHost, LoggedEgress } from '../store/egress-log.js';
import { RunStore, runStoreFileName } from '../store/run-store.js';

export interface AuditResult {
  directory: string;
  hosts: EgressByHost[];
  requests: LoggedEgress[];
  summary: string;
}

/** `medistill audit RUN_DIR`: what the run's models sent where, read from its store. */
export function runAudit(options: { directory: string }): AuditResult {
  if (!existsSync(join(options.directory, runStoreFileName)))
    throw new ConfigError(`${options.directory} is not a run directory (no ${runStoreFileName})`);
  const store = RunStore.openDirectory(options.directory, { readOnly: true });
  try {
    const hosts = store.egress.byHost();
    return {
      directory: options.directory,
      hosts,
      requests: store.egress.list(),
      summary: summariseEgress(hosts),
    };
  } finally {
    store.close();
  }
}

/**
 * One line for the report: "42 requests, all to loopback (127.0.0.1:8080); nothing left this
 * machine", or how many went to which hosts off it, with the bytes sent.
 */
export function summariseEgress(hosts: readonly EgressByHost[]): string {
  const total = hosts.reduce((sum, host) => sum + host.requests, 0);
  if (total === 0) return 'no network requests; nothing left this machine';
  const place = (host: EgressByHost) => `${host.host}:${host.port}`;
  const local = hosts.filter((host) => host.local);
  const remote = hosts.filter((host) => !host.local);
  const requests = (count: number) => `${count} request${count === 1 ? '' : 's'}`;
  if (remote.length === 0)
    return `${requests(total)}, all to loopback (${local.map(place).join(', ')}); nothing left this machine`;
  const sent = remote.reduce((sum, host) => sum + host.bytesSent, 0);
  const away = remote.reduce((sum, host) => sum + host.requests, 0);
  return (
    `${requests(away)} left this machine, to ${remote.map(place).join(', ')} (${formatBytes(sent)} sent)` +
    (local.length > 0 ? `; ${requests(total - away)} to loopback` : '')
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
