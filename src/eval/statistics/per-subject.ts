import type { Interval } from './interval.js';
import { wilsonInterval } from './wilson-interval.js';

export interface SubjectRow {
  subject: string;
  n: number;
  correct: number;
  accuracy: number;
  ci95: Interval;
}

/** The subject name used for items that carry none. */
export const unknownSubject = '(no subject)';

/**
 * Accuracy per subject with Wilson intervals, largest subjects first (then by name): a small
 * subject's accuracy swings wildly and the interval says so.
 */
export function perSubjectTable(
  outcomes: readonly { subject?: string | undefined; correct: boolean }[],
): SubjectRow[] {
  const totals = new Map<string, { n: number; correct: number }>();
  for (const { subject, correct } of outcomes) {
    const name = subject?.trim() ? subject.trim() : unknownSubject;
    const total = totals.get(name) ?? { n: 0, correct: 0 };
    total.n++;
    if (correct) total.correct++;
    totals.set(name, total);
  }
  return [...totals.entries()]
    .map(([subject, { n, correct }]) => ({
      subject,
      n,
      correct,
      accuracy: correct / n,
      ci95: wilsonInterval(correct, n),
    }))
    .sort((left, right) => right.n - left.n || left.subject.localeCompare(right.subject));
}
