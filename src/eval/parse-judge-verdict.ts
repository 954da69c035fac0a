export type JudgeVerdict = 'correct' | 'wrong';

/**
 * Read a judge's reply to the "1 correct, 2 wrong" prompt. Judges do not always obey a one-token
 * limit or format: "1", " 2.", "**1**", "1 (correct)", "Correct", "2 - wrong", "Incorrect",
 * "Score: 1" all occur. A leading 1 or 2 decides; then a verdict word, negations first
 * ("incorrect", "not correct" are wrong); then a single standalone 1 or 2. Anything else is
 * null: unreadable, never silently a pass.
 */
export function parseJudgeVerdict(reply: string): JudgeVerdict | null {
  const text = reply.normalize('NFKC').trim().toLowerCase();
  const leading = /^[\s*_"'`([]*([12])(?![0-9])/.exec(text);
  if (leading) return leading[1] === '1' ? 'correct' : 'wrong';
  if (/\b(?:incorrect|wrong|not\s+(?:correct|right)|false)\b|错误|不正确/.test(text)) return 'wrong';
  if (/\b(?:correct|right|true)\b|正确/.test(text)) return 'correct';
  const digits = new Set([...text.matchAll(/(?<![0-9.])([12])(?![0-9.])/g)].map((match) => match[1]));
  if (digits.size === 1) return digits.has('1') ? 'correct' : 'wrong';
  return null;
}
