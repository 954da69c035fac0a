import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ReviewDecision, reviewTargetKey } from '../../store/review-log.js';
import { RunStore, runStoreFileName } from '../../store/run-store.js';
import { sha256Hex } from '../../util/canonical-json.js';

/** How a run used the reviewer decisions it found: what the report counts. */
export interface ReviewSummary {
  /** Distinct items with at least one decision. */
  items: number;
  accepted: number;
  edited: number;
  rejected: number;
  /** Decisions whose text this run met (and so applied to its training data). */
  applied: number;
  /** Decisions about a text this run no longer produced (the teacher wrote something else). */
  stale: number;
}

/**
 * The reviewer decisions a run applies: the latest decision per teacher text, found by stage, item
 * and the hash of the exact original, so a decision never lands on a text the reviewer did not read.
 */
export class ReviewSet {
  readonly #byTarget: Map<string, ReviewDecision>;
  readonly #applied = new Set<string>();

  constructor(decisions: readonly ReviewDecision[]) {
    this.#byTarget = new Map(decisions.map((decision) => [reviewTargetKey(decision), decision]));
  }

  /** The latest decisions of the run store in `directory`, or none when it has no store yet. */
  static fromRunDirectory(directory: string): ReviewSet {
    if (!existsSync(join(directory, runStoreFileName))) return new ReviewSet([]);
    const store = RunStore.openDirectory(directory, { readOnly: true });
    try {
      return new ReviewSet(store.reviews.latest());
    } finally {
      store.close();
    }
  }

  get size(): number {
    return this.#byTarget.size;
  }

  /** The decision on exactly this text of this item in this stage, noted as applied. */
  decisionFor(stage: string, itemId: string, original: string): ReviewDecision | undefined {
    const key = reviewTargetKey({ stage, itemId, originalHash: sha256Hex(original) });
    const decision = this.#byTarget.get(key);
    if (decision) this.#applied.add(key);
    return decision;
  }

  summary(): ReviewSummary {
    const decisions = [...this.#byTarget.values()];
    const count = (verdict: ReviewDecision['decision']) =>
      decisions.filter((decision) => decision.decision === verdict).length;
    return {
      items: new Set(decisions.map((decision) => decision.itemId)).size,
      accepted: count('accept'),
      edited: count('edit'),
      rejected: count('reject'),
      applied: this.#applied.size,
      stale: this.#byTarget.size - this.#applied.size,
    };
  }
}
