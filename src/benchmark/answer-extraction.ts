import type { Option } from '../datasets/item.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The option key a reply chooses, or undefined when it names none. In order: the last
 * "answer is X" / "Answer: X" / "Final Answer: **X**" with X an option key; a reply that is only a
 * key; the option text a reply states as its answer ("Answer : <text>"); the option text it
 * mentions last.
 */
export function extractAnswerKey(reply: string, options: readonly Option[]): string | undefined {
  const keys = options.map((option) => option.key);
  const keyPattern = keys.map(escapeRegExp).join('|');
  if (keyPattern === '') return undefined;
  // Keys are matched case-sensitively so that "the answer is a ..." is not read as option A.
  const stated = new RegExp(
    `(?:[Aa]nswer|ANSWER)(?:\\s+is)?\\s*[:：]?\\s*(?:\\*\\*)?\\s*\\(?(${keyPattern})\\)?(?![\\p{L}\\p{N}])`,
    'gu',
  );
  let last: string | undefined;
  for (const match of reply.matchAll(stated)) last = match[1];
  if (last !== undefined) return last;

  const bare = new RegExp(`^\\s*\\(?(${keyPattern})\\)?\\s*\\.?\\s*$`, 'u').exec(reply);
  if (bare) return bare[1];

  const lower = reply.toLowerCase();
  let best: { key: string; position: number; stated: boolean } | undefined;
  for (const option of options) {
    const text = option.text.trim().toLowerCase();
    if (text === '') continue;
    const position = lower.lastIndexOf(text);
    if (position < 0) continue;
    const isStated = /answer(?:\s+is)?\s*[:：]?\s*$/.test(lower.slice(0, position));
    const better =
      !best || (isStated && !best.stated) || (isStated === best.stated && position > best.position);
    if (better) best = { key: option.key, position, stated: isStated };
  }
  return best?.key;
}
