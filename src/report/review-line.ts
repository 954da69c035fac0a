import type { ReviewSummaryReport } from './run-report.js';

/** One sentence on the reviewed teacher texts, for both report formats. */
export function reviewLine(review: ReviewSummaryReport): string {
  const decisions = review.accepted + review.edited + review.rejected;
  const stale = review.stale > 0 ? `; ${review.stale} no longer matched the teacher's text` : '';
  return (
    `Reviewed: ${review.items} item${review.items === 1 ? '' : 's'} (${review.accepted} accepted, ` +
    `${review.edited} edited, ${review.rejected} rejected); ${review.applied} of ${decisions} ` +
    `decision${decisions === 1 ? '' : 's'} applied to the training data${stale}.`
  );
}
