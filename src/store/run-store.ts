import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import BetterSqlite3 from 'better-sqlite3';
import { ConfigError } from '../errors.js';
import { CallLog } from './call-log.js';
import { EgressLog } from './egress-log.js';
import { GroupCommit } from './group-commit.js';
import { ReviewLog } from './review-log.js';
import { StageRecords } from './stage-records.js';
import { storeSchemaSql, storeSchemaVersion } from './store-schema.js';

/** The database file every run directory holds. */
export const runStoreFileName = 'run.sqlite';

export interface OpenRunStoreOptions {
  /** Open an existing store for reading only (e.g. an earlier run used as an extra cache). */
  readOnly?: boolean;
}

/**
 * A run's durable record: every model call (which doubles as the response cache), every stage
 * and every item outcome, in one SQLite file in WAL mode. WAL with `synchronous = NORMAL` keeps
 * every committed transaction across a process kill; only a power cut can lose the last few.
 * Writes return promises that settle on commit; writes made together share a commit.
 */
export class RunStore {
  readonly path: string;
  readonly calls: CallLog;
  readonly stages: StageRecords;
  /** Every HTTP request the run's models made (see privacy/pinned-fetch). */
  readonly egress: EgressLog;
  /** Reviewer decisions on teacher texts (see review/). */
  readonly reviews: ReviewLog;
  readonly #database: Database;
  readonly #commits: GroupCommit;

  private constructor(path: string, database: Database) {
    this.path = path;
    this.#database = database;
    this.#commits = new GroupCommit(database);
    this.calls = new CallLog(database, this.#commits);
    this.stages = new StageRecords(database, this.#commits);
    this.egress = new EgressLog(database, this.#commits);
    this.reviews = new ReviewLog(database, this.#commits);
  }

  /** Opens (creating if needed) the store in a run directory. */
  static openDirectory(runDirectory: string, options: OpenRunStoreOptions = {}): RunStore {
    // Owner only: the store holds item text and teacher replies (patient data, for some users).
    if (!options.readOnly) mkdirSync(runDirectory, { recursive: true, mode: 0o700 });
    return RunStore.openFile(join(runDirectory, runStoreFileName), options);
  }

  /** Opens (creating if needed) a store at an explicit file path. */
  static openFile(path: string, options: OpenRunStoreOptions = {}): RunStore {
    let database: Database;
    try {
      database = new BetterSqlite3(path, {
        readonly: options.readOnly ?? false,
        fileMustExist: options.readOnly ?? false,
      });
    } catch (error) {
      throw new ConfigError(
        `cannot open run store ${path}: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
    try {
      if (!options.readOnly) {
        database.pragma('journal_mode = WAL');
        database.pragma('synchronous = NORMAL');
      }
      // Another process (a second reader, a resumed run) may hold the write lock for a moment.
      database.pragma('busy_timeout = 10000');
      const version = Number(database.pragma('user_version', { simple: true }));
      if (version > storeSchemaVersion) {
        throw new ConfigError(
          `run store ${path} was written by a newer medistill (schema ${version}, this one reads ${storeSchemaVersion})`,
        );
      }
      if (!options.readOnly && version < storeSchemaVersion) {
        database.exec(storeSchemaSql);
        database.pragma(`user_version = ${storeSchemaVersion}`);
      }
      if (!options.readOnly) restrictToOwner(path);
      return new RunStore(path, database);
    } catch (error) {
      database.close();
      throw error;
    }
  }

  /** Runs `work` in one transaction: all its writes commit together or not at all. */
  transaction<T>(work: () => T): T {
    return this.#database.transaction(work)();
  }

  /**
   * Deletes the text of every model call (requests, replies, error messages) and every item
   * result, keeping the rows' counts, tokens, costs and times. Purged calls no longer serve as
   * cache entries (their hash is prefixed), so a rerun asks the model again. Review decisions go
   * too (an edit is teacher text rewritten). The file is then
   * vacuumed so the text does not linger in free pages or the WAL.
   */
  purgeText(): { calls: number; items: number } {
    this.#commits.flush();
    const purged = '{"purged":true}';
    const counts = this.transaction(() => {
      const calls = this.#database
        .prepare(`UPDATE calls SET request_json = @purged,
          response_json = CASE WHEN response_json IS NULL THEN NULL ELSE @purged END,
          error_message = CASE WHEN error_message IS NULL THEN NULL ELSE '(purged)' END,
          request_hash = 'purged:' || request_hash
          WHERE request_hash NOT LIKE 'purged:%'`)
        .run({ purged }).changes;
      const items = this.#database.prepare('DELETE FROM items').run().changes;
      this.#database.prepare('DELETE FROM reviews').run();
      return { calls, items };
    });
    this.#database.pragma('wal_checkpoint(TRUNCATE)');
    this.#database.exec('VACUUM');
    return counts;
  }

  /** Commits queued writes, then closes the file. */
  close(): void {
    if (!this.#database.open) return;
    this.#commits.flush();
    this.#database.close();
  }
}

/** Makes the database and its WAL files readable by their owner only (POSIX; a no-op elsewhere). */
function restrictToOwner(path: string): void {
  if (process.platform === 'win32') return;
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}
