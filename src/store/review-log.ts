import type { Database } from 'better-sqlite3';
import type { GroupCommit } from './group-commit.js';

export type ReviewVerdict = 'accept' | 'reject' | 'edit';

/**
 * One reviewer decision on one teacher text: the text a stage produced for an item, named by the
 * stage, the item and the sha256 of the original text. Decisions are appended, never updated, and
 * never touch the original (which stays in the stage file and the call log); the latest decision
 * for a text is the one that counts.
 */
export interface ReviewDecision {
  stage: string;
  itemId: string;
  /** sha256 (hex) of the teacher's original text: a decision applies only to that exact text. */
  originalHash: string;
  decision: ReviewVerdict;
  /** The reviewer's replacement text (edits only). */
  text?: string;
  reviewer: string;
  /** ISO 8601. */
  reviewedAt: string;
  /** Where the reviewer saw the text (for the record; the decision applies wherever the text is). */
  strategy?: string;
  seed?: number;
  note?: string;
}

interface ReviewRow {
  stage: string;
  item_id: string;
  original_hash: string;
  decision: ReviewVerdict;
  text: string | null;
  reviewer: string;
  reviewed_at: string;
  strategy: string | null;
  seed: number | null;
  note: string | null;
}

/** The `reviews` table: reviewer decisions on teacher explanations and corrective chains. */
export class ReviewLog {
  readonly #database: Database;
  readonly #commits: GroupCommit;

  constructor(database: Database, commits: GroupCommit) {
    this.#database = database;
    this.#commits = commits;
  }

  /** Appends a decision; resolves once committed. */
  record(decision: ReviewDecision): Promise<void> {
    const insert = this.#database.prepare(`INSERT INTO reviews (stage, item_id, original_hash,
      decision, text, reviewer, reviewed_at, strategy, seed, note) VALUES (@stage, @itemId,
      @originalHash, @decision, @text, @reviewer, @reviewedAt, @strategy, @seed, @note)`);
    const row = {
      stage: decision.stage,
      itemId: decision.itemId,
      originalHash: decision.originalHash,
      decision: decision.decision,
      text: decision.decision === 'edit' ? (decision.text ?? '') : null,
      reviewer: decision.reviewer,
      reviewedAt: decision.reviewedAt,
      strategy: decision.strategy ?? null,
      seed: decision.seed ?? null,
      note: decision.note ?? null,
    };
    return this.#commits.commit(() => insert.run(row));
  }

  /** Every decision, oldest first (none for a store older than the table, opened read-only). */
  history(): ReviewDecision[] {
    if (!this.#exists()) return [];
    return this.#database
      .prepare<[], ReviewRow>('SELECT * FROM reviews ORDER BY id')
      .all()
      .map(decisionFromRow);
  }

  /** The decision that counts for each reviewed text: the latest one (by review time, then by entry). */
  latest(): ReviewDecision[] {
    const byTarget = new Map<string, ReviewDecision>();
    const inTimeOrder = this.history().sort((a, b) =>
      a.reviewedAt < b.reviewedAt ? -1 : a.reviewedAt > b.reviewedAt ? 1 : 0,
    );
    for (const decision of inTimeOrder) byTarget.set(reviewTargetKey(decision), decision);
    return [...byTarget.values()];
  }

  #exists(): boolean {
    return (
      this.#database
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reviews'")
        .get() !== undefined
    );
  }
}

/** The text a decision is about: stage, item and original text hash. */
export function reviewTargetKey(target: Pick<ReviewDecision, 'stage' | 'itemId' | 'originalHash'>): string {
  return `${target.stage}\u0000${target.itemId}\u0000${target.originalHash}`;
}

function decisionFromRow(row: ReviewRow): ReviewDecision {
  return {
    stage: row.stage,
    itemId: row.item_id,
    originalHash: row.original_hash,
    decision: row.decision,
    ...(row.text === null ? {} : { text: row.text }),
    reviewer: row.reviewer,
    reviewedAt: row.reviewed_at,
    ...(row.strategy === null ? {} : { strategy: row.strategy }),
    ...(row.seed === null ? {} : { seed: row.seed }),
    ...(row.note === null ? {} : { note: row.note }),
  };
}
