import type { Database, Statement } from 'better-sqlite3';
import type { EgressRecord, EgressRecorder } from '../models/egress-record.js';
import type { GroupCommit } from './group-commit.js';

/** An egress row as read back; times as ISO strings. */
export interface LoggedEgress extends Omit<EgressRecord, 'startedAt'> {
  startedAt: string;
}

/** Requests to one address, summed. */
export interface EgressByHost {
  host: string;
  address: string;
  port: number;
  local: boolean;
  requests: number;
  failed: number;
  bytesSent: number;
  bytesReceived: number;
  first: string;
  last: string;
  stages: string[];
}

interface EgressRow {
  started_at: string;
  host: string;
  address: string;
  port: number;
  local: number;
  model_id: string | null;
  stage: string | null;
  item_id: string | null;
  method: string;
  path: string;
  status: number | null;
  bytes_sent: number;
  bytes_received: number;
  duration_ms: number;
  error_code: string | null;
}

type Parameters = Record<string, string | number | null>;

/**
 * The `egress` table: every HTTP request a model of this run made, local or not, with where it
 * went, when, for which stage and item, and its sizes. Written alongside the call log, in the
 * same group commits.
 */
export class EgressLog implements EgressRecorder {
  readonly #database: Database;
  readonly #commits: GroupCommit;
  #insert: Statement<Parameters> | undefined;

  constructor(database: Database, commits: GroupCommit) {
    this.#database = database;
    this.#commits = commits;
  }

  record(entry: EgressRecord): Promise<void> {
    const row: Parameters = {
      startedAt: entry.startedAt.toISOString(),
      host: entry.host,
      address: entry.address,
      port: entry.port,
      local: entry.local ? 1 : 0,
      modelId: entry.modelId ?? null,
      stage: entry.stage ?? null,
      itemId: entry.itemId ?? null,
      method: entry.method,
      path: entry.path,
      status: entry.status ?? null,
      bytesSent: entry.bytesSent,
      bytesReceived: entry.bytesReceived,
      durationMs: entry.durationMs,
      errorCode: entry.errorCode ?? null,
    };
    this.#insert ??= this.#database.prepare<Parameters>(`INSERT INTO egress (started_at, host,
      address, port, local, model_id, stage, item_id, method, path, status, bytes_sent,
      bytes_received, duration_ms, error_code) VALUES (@startedAt, @host, @address, @port, @local,
      @modelId, @stage, @itemId, @method, @path, @status, @bytesSent, @bytesReceived, @durationMs,
      @errorCode)`);
    const insert = this.#insert;
    return this.#commits.commit(() => insert.run(row));
  }

  /** Every request, oldest first (none for a store older than the table, opened read-only). */
  list(): LoggedEgress[] {
    const exists = this.#database
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'egress'")
      .get();
    if (!exists) return [];
    const rows = this.#database.prepare<[], EgressRow>('SELECT * FROM egress ORDER BY id').all();
    return rows.map((row) => ({
      startedAt: row.started_at,
      host: row.host,
      address: row.address,
      port: row.port,
      local: row.local === 1,
      ...(row.model_id === null ? {} : { modelId: row.model_id }),
      ...(row.stage === null ? {} : { stage: row.stage }),
      ...(row.item_id === null ? {} : { itemId: row.item_id }),
      method: row.method,
      path: row.path,
      ...(row.status === null ? {} : { status: row.status }),
      bytesSent: row.bytes_sent,
      bytesReceived: row.bytes_received,
      durationMs: row.duration_ms,
      ...(row.error_code === null ? {} : { errorCode: row.error_code }),
    }));
  }

  /** Requests summed per host and address, in order of first use. */
  byHost(): EgressByHost[] {
    const groups = new Map<string, EgressByHost>();
    for (const entry of this.list()) {
      const key = `${entry.host}|${entry.address}|${entry.port}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          host: entry.host,
          address: entry.address,
          port: entry.port,
          local: entry.local,
          requests: 0,
          failed: 0,
          bytesSent: 0,
          bytesReceived: 0,
          first: entry.startedAt,
          last: entry.startedAt,
          stages: [],
        };
        groups.set(key, group);
      }
      group.requests += 1;
      if (entry.status === undefined || entry.status >= 400) group.failed += 1;
      group.bytesSent += entry.bytesSent;
      group.bytesReceived += entry.bytesReceived;
      group.last = entry.startedAt;
      const stage = entry.stage ?? 'setup';
      if (!group.stages.includes(stage)) group.stages.push(stage);
    }
    return [...groups.values()];
  }
}
