import type { Item } from '../../datasets/item.js';

/**
 * The teacher's roles in MedThink and the baseline strategies. An LLM plays them through prompt
 * templates; the project's knowledge-base teacher plays them from facts, so `medistill demo` runs
 * offline. Every reply a role returns is already validated; a role that cannot produce a valid
 * reply throws, and the stage records the item as failed.
 */
export interface Teacher {
  readonly id: string;
  /** Screening: the teacher's own answer, as an option key (multiple choice) or answer text. */
  answer(item: Item, options?: { sample?: number }): Promise<string>;
  /** The answer followed by numbered domain-knowledge points (MedThink stage 1). */
  explain(item: Item): Promise<string>;
  /** Whether the student's reply is correct against the reference (MedThink's judge: 1 or 2). */
  judge(item: Item, studentReply: string): Promise<boolean>;
  /** A reasoning chain from the knowledge to the correct answer that addresses the student's mistake. */
  correct(item: Item, studentReply: string, knowledge: string): Promise<string>;
  /** A rationale: chain-of-thought, or the rationale task of Distilling step-by-step. */
  rationale(item: Item, style: RationaleStyle, options?: { sample?: number }): Promise<string>;
}

export type RationaleStyle = 'chain-of-thought' | 'step-by-step';

/**
 * A role reply that could not be validated after retries; recorded as a failed item. `reason` is
 * the same for every item that failed the same way (so failures can be counted by cause), and
 * `reply` is the last reply the teacher gave, when it gave one.
 */
export class TeacherReplyError extends Error {
  override readonly name = 'TeacherReplyError';
  readonly reason: string;
  readonly reply: string | undefined;
  constructor(
    readonly role: string,
    readonly itemId: string,
    message: string,
    details: { reason?: string; reply?: string } = {},
  ) {
    super(`${role} for item ${itemId}: ${message}`);
    this.reason = `${role}: ${details.reason ?? message}`;
    this.reply = details.reply;
  }
}
