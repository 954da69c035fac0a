import { preTokenize } from './pre-tokenize.js';

/**
 * How many tokens a word-level tokenizer (`kind: 'word'`) gives a text whose words are all in
 * the corpus it was learned from: one per pre-token piece, except that digits never merge, so a
 * piece holding digits costs one token per byte. Counting whitespace-separated words instead
 * undercounts (`Answer:` is two pieces, `45` two digits), which can leave a context too short.
 */
export function wordTokenCount(text: string): number {
  let count = 0;
  for (const piece of preTokenize(text)) count += /\p{N}/u.test(piece) ? Buffer.byteLength(piece, 'utf8') : 1;
  return count;
}
