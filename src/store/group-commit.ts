import type { Database } from 'better-sqlite3';

interface PendingWrite {
  write: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Commits writes queued in the same event-loop turn in one transaction, and settles each write's
 * promise only once its transaction has committed. A caller that awaits a write therefore knows
 * it is on disk, as with one transaction per write, but many workers whose answers arrive
 * together share one commit: at high concurrency that halves the time the event loop spends
 * blocked on the WAL file. A write that fails is retried alone, so it cannot sink the others.
 */
export class GroupCommit {
  readonly #database: Database;
  #queue: PendingWrite[] = [];
  #scheduled = false;

  constructor(database: Database) {
    this.#database = database;
  }

  /** Queues `write` (synchronous statements) and resolves once it is committed. */
  commit(write: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ write, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // After the poll phase, so every response read in this turn joins the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits everything queued now (also called before the database closes). */
  flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    try {
      this.#database.transaction(() => {
        for (const pending of batch) pending.write();
      })();
    } catch {
      for (const pending of batch) {
        try {
          this.#database.transaction(pending.write)();
          pending.resolve();
        } catch (error) {
          pending.reject(error);
        }
      }
      return;
    }
    for (const pending of batch) pending.resolve();
  }
}
