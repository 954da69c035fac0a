/*
 * Text helpers shared by the answer extractors: normalising model output and finding the part
 * of it that holds the answer.
 */

/** Escape a string for literal use inside a RegExp. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The last match of a global RegExp, or null. */
export function lastMatch(text: string, pattern: RegExp): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  for (const match of text.matchAll(pattern)) last = match as RegExpExecArray;
  return last;
}

/**
 * NFKC folds full-width forms ("：", "（Ｂ）") that Chinese replies use into ASCII; zero-width
 * characters and LaTeX answer boxes (`\boxed{C}`, `\boxed{\text{C}}`) become plain text.
 */
export function normalizeOutput(output: string): string {
  return output
    .normalize('NFKC')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .replace(/\r\n?/g, '\n')
    .replace(/\$*\\boxed\s*\{\s*(?:\\text(?:bf)?\s*\{)?\s*([^{}]*?)\s*\}?\s*\}\$*/g, '\nAnswer: $1\n');
}

/**
 * Where to look for the answer, in order: a reasoning model's reply after its last `</think>`
 * (what it thought is not what it answered), then the whole output.
 */
export function answerRegion(text: string): string[] {
  const close = text.lastIndexOf('</think>');
  if (close === -1) return [text];
  return [text.slice(close + '</think>'.length), text];
}

/**
 * The answer part of a free-text reply to an open-ended question: what follows the last
 * "Final Answer:" or "Answer:" (the line medistill's training targets end with) or "答案：", else
 * the reply after any `</think>` block.
 */
export function extractFinalAnswerText(output: string): string {
  const text = normalizeOutput(output);
  const region = answerRegion(text)[0]!;
  const marker = lastMatch(region, /(?:\b(?:final\s+)?answer|答案)\s*(?:是|为)?\s*[:：]/giu);
  const answer = marker ? region.slice(marker.index + marker[0].length) : region;
  return answer.replace(/^[\s*_]+|[\s*_]+$/g, '').trim();
}

/**
 * SQuAD-style normalisation for exact match: lowercase, no punctuation, no English articles,
 * single spaces. Two answers match exactly when their normalised forms are equal.
 */
export function normalizeAnswerText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(?:a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
