import type { Database, Statement } from 'better-sqlite3';
import type { GroupCommit } from './group-commit.js';

export type StageStatus = 'running' | 'completed' | 'stopped' | 'failed';
export type ItemStatus = 'done' | 'failed';

/** A stage's row: its status and item counts as of its last update. */
export interface StageRecord {
  name: string;
  status: StageStatus;
  total: number;
  done: number;
  failed: number;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | undefined;
}

/** One item's outcome in a stage. A failure is data: it is kept, counted and retried on rerun. */
export interface ItemRecord {
  stage: string;
  itemId: string;
  status: ItemStatus;
  resultJson: string | undefined;
  errorName: string | undefined;
  errorMessage: string | undefined;
  attempts: number;
  updatedAt: string;
}

interface StageRow {
  name: string;
  status: StageStatus;
  total: number;
  done: number;
  failed: number;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}

interface ItemRow {
  stage: string;
  item_id: string;
  status: ItemStatus;
  result_json: string | null;
  error_name: string | null;
  error_message: string | null;
  attempts: number;
  updated_at: string;
}

type Parameters = Record<string, string | number | null>;

/**
 * The `stages` and `items` tables: what the stage runner needs to resume. An item's result is
 * durable once the promise from `completeItem` resolves.
 */
export class StageRecords {
  readonly #commits: GroupCommit;
  readonly #startStage: Statement<Parameters>;
  readonly #updateStage: Statement<Parameters>;
  readonly #getStage: Statement<[string], StageRow>;
  readonly #listStages: Statement<[], StageRow>;
  readonly #putItem: Statement<Parameters>;
  readonly #getItem: Statement<[string, string], ItemRow>;
  readonly #listItems: Statement<[string], ItemRow>;
  readonly #countItems: Statement<[string], { done: number | null; failed: number | null }>;

  constructor(database: Database, commits: GroupCommit) {
    this.#commits = commits;
    this.#startStage =
      database.prepare<Parameters>(`INSERT INTO stages (name, status, total, started_at, updated_at)
      VALUES (@name, 'running', @total, @now, @now)
      ON CONFLICT (name) DO UPDATE SET status = 'running', total = @total, updated_at = @now, finished_at = NULL`);
    this.#updateStage = database.prepare<Parameters>(`UPDATE stages SET status = @status, done = @done,
      failed = @failed, updated_at = @now, finished_at = @finishedAt WHERE name = @name`);
    this.#getStage = database.prepare<[string], StageRow>('SELECT * FROM stages WHERE name = ?');
    this.#listStages = database.prepare<[], StageRow>('SELECT * FROM stages ORDER BY started_at');
    this.#putItem = database.prepare<Parameters>(`INSERT INTO items (stage, item_id, status, result_json,
      error_name, error_message, attempts, updated_at)
      VALUES (@stage, @itemId, @status, @resultJson, @errorName, @errorMessage, 1, @now)
      ON CONFLICT (stage, item_id) DO UPDATE SET status = @status, result_json = @resultJson,
      error_name = @errorName, error_message = @errorMessage, attempts = attempts + 1, updated_at = @now
      WHERE excluded.status = 'done' OR items.status <> 'done'`);
    this.#getItem = database.prepare<[string, string], ItemRow>(
      'SELECT * FROM items WHERE stage = ? AND item_id = ?',
    );
    this.#listItems = database.prepare<[string], ItemRow>(
      'SELECT * FROM items WHERE stage = ? ORDER BY rowid',
    );
    this.#countItems = database.prepare<[string], { done: number | null; failed: number | null }>(
      `SELECT SUM(status = 'done') AS done, SUM(status = 'failed') AS failed FROM items WHERE stage = ?`,
    );
  }

  /** Marks a stage as running (creating it if new) with its current item total. */
  startStage(name: string, total: number): void {
    this.#startStage.run({ name, total, now: new Date().toISOString() });
  }

  /** Writes the stage's status and its counts as the items table has them now. */
  finishStage(name: string, status: StageStatus): StageRecord {
    const counts = this.countItems(name);
    const now = new Date().toISOString();
    this.#updateStage.run({
      name,
      status,
      done: counts.done,
      failed: counts.failed,
      now,
      finishedAt: status === 'running' ? null : now,
    });
    const stage = this.getStage(name);
    if (!stage) throw new Error(`stage "${name}" vanished from the run store`);
    return stage;
  }

  getStage(name: string): StageRecord | undefined {
    const row = this.#getStage.get(name);
    return row ? stageFromRow(row) : undefined;
  }

  listStages(): StageRecord[] {
    return this.#listStages.all().map(stageFromRow);
  }

  /** Records an item's result (resolves once committed); a later failure never overwrites it. */
  completeItem(stage: string, itemId: string, resultJson: string): Promise<void> {
    return this.#put({
      stage,
      itemId,
      status: 'done',
      resultJson,
      errorName: null,
      errorMessage: null,
      now: new Date().toISOString(),
    });
  }

  /** Records an item's failure; resolves once committed. */
  failItem(stage: string, itemId: string, error: { name: string; message: string }): Promise<void> {
    return this.#put({
      stage,
      itemId,
      status: 'failed',
      resultJson: null,
      errorName: error.name,
      errorMessage: error.message,
      now: new Date().toISOString(),
    });
  }

  #put(row: Parameters): Promise<void> {
    return this.#commits.commit(() => this.#putItem.run(row));
  }

  getItem(stage: string, itemId: string): ItemRecord | undefined {
    const row = this.#getItem.get(stage, itemId);
    return row ? itemFromRow(row) : undefined;
  }

  listItems(stage: string): ItemRecord[] {
    return this.#listItems.all(stage).map(itemFromRow);
  }

  countItems(stage: string): { done: number; failed: number } {
    const row = this.#countItems.get(stage);
    return { done: row?.done ?? 0, failed: row?.failed ?? 0 };
  }
}

function stageFromRow(row: StageRow): StageRecord {
  return {
    name: row.name,
    status: row.status,
    total: row.total,
    done: row.done,
    failed: row.failed,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at ?? undefined,
  };
}

function itemFromRow(row: ItemRow): ItemRecord {
  return {
    stage: row.stage,
    itemId: row.item_id,
    status: row.status,
    resultJson: row.result_json ?? undefined,
    errorName: row.error_name ?? undefined,
    errorMessage: row.error_message ?? undefined,
    attempts: row.attempts,
    updatedAt: row.updated_at,
  };
}
