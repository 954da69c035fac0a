import type { Item } from '../datasets/item.js';
import { extractChoice } from '../eval/extract-choice.js';

/**
 * Every training target medistill builds carries its answer on one line, `Answer: <text>`, and
 * every student reply is read back from the last such line. For multiple choice the text is the
 * option's own text rather than its letter: MedThink works open-ended (options removed, reference
 * = the correct option's text), and a small student learns the text far more easily than a letter
 * that points into a shuffled list.
 */
export const ANSWER_PREFIX = 'Answer:';

export function answerText(item: Item, key?: string): string {
  switch (item.kind) {
    case 'multiple-choice': {
      const wanted = key ?? item.answerKey;
      return item.options.find((option) => option.key === wanted)?.text ?? wanted;
    }
    case 'open-ended':
      return key ?? item.referenceAnswer;
    case 'yes-no-maybe':
      return key ?? item.answer;
  }
}

export function answerLine(item: Item, key?: string): string {
  return `${ANSWER_PREFIX} ${answerText(item, key)}`;
}

/** The text after the last `Answer:` in a reply, or undefined. */
export function lastAnswerText(reply: string): string | undefined {
  const index = reply.lastIndexOf(ANSWER_PREFIX);
  if (index < 0) return undefined;
  const rest = reply
    .slice(index + ANSWER_PREFIX.length)
    .split('\n')[0]!
    .trim();
  return rest.length > 0 ? rest.replace(/[.。]+$/, '') : undefined;
}

/**
 * The answer a reply gives: an option key for multiple choice (from the answer line, else the
 * robust extractor over the whole reply), the answer text otherwise. Null when nothing is given,
 * which counts as wrong.
 */
export function studentAnswer(item: Item, reply: string): string | null {
  const line = lastAnswerText(reply);
  if (item.kind === 'multiple-choice') {
    if (line !== undefined) {
      const fromLine = extractChoice(`${ANSWER_PREFIX} ${line}`, item.options);
      if (fromLine) return fromLine;
    }
    return extractChoice(reply, item.options);
  }
  if (item.kind === 'yes-no-maybe') {
    const match = /\b(yes|no|maybe)\b/i.exec(line ?? reply);
    return match ? match[1]!.toLowerCase() : null;
  }
  return line ?? null;
}

/** Exact scoring where the item allows it; open-ended items need a judge. */
export function isCorrectByMatch(item: Item, answer: string | null): boolean | undefined {
  if (answer === null) return false;
  if (item.kind === 'multiple-choice') return answer === item.answerKey;
  if (item.kind === 'yes-no-maybe') return answer === item.answer;
  return undefined;
}
