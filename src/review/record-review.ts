import { z } from 'zod';
import { InputError } from '../errors.js';
import type { ReviewDecision } from '../store/review-log.js';
import type { RunStore } from '../store/run-store.js';
import type { ItemTrace } from './item-trace.js';

/** The review form as posted; lenient in shape, strict in what it may name. */
export const reviewFormSchema = z.object({
  stage: z.string().min(1).max(200),
  originalHash: z.string().regex(/^[0-9a-f]{64}$/),
  decision: z.enum(['accept', 'reject', 'edit']),
  text: z.string().max(100_000).optional(),
  reviewer: z.string().trim().min(1, 'a reviewer name is needed').max(200),
  note: z.string().max(2_000).optional(),
});
export type ReviewForm = z.infer<typeof reviewFormSchema>;

/**
 * Records a reviewer's decision on a teacher text the trace holds (the form must name a text the
 * run really produced: stage and original hash must match). The teacher's original is untouched.
 */
export async function recordReview(
  store: RunStore,
  target: { trace: ItemTrace; strategy: string; seed: number },
  form: ReviewForm,
  now: Date = new Date(),
): Promise<ReviewDecision> {
  const text = target.trace.texts.find(
    (candidate) => candidate.stage === form.stage && candidate.originalHash === form.originalHash,
  );
  if (!text)
    throw new InputError(`no ${form.stage} text of item ${target.trace.itemId} matches the review form`);
  // Line endings as the browser sends them (CRLF) would make every edit differ from its original.
  const edited = form.text?.replace(/\r\n/g, '\n');
  if (form.decision === 'edit' && (edited === undefined || edited.trim() === ''))
    throw new InputError('an edit needs its text (to drop the text, reject it)', {
      file: '(review form)',
      field: 'text',
    });
  const decision: ReviewDecision = {
    stage: text.stage,
    itemId: target.trace.itemId,
    originalHash: text.originalHash,
    decision: form.decision,
    ...(form.decision === 'edit' && edited !== undefined ? { text: edited } : {}),
    reviewer: form.reviewer,
    reviewedAt: now.toISOString(),
    strategy: target.strategy,
    seed: target.seed,
    ...(form.note ? { note: form.note } : {}),
  };
  await store.reviews.record(decision);
  return decision;
}
