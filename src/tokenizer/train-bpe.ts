import { byteToChar, toByteLevel } from './byte-level.js';
import { preTokenize } from './pre-tokenize.js';
import { Tokenizer, type TokenizerData, TokenType } from './tokenizer.js';

export interface TrainTokenizerOptions {
  /**
   * `bpe`: merges up to `vocabSize`. `word`: merge until every corpus word is a single token, for
   * closed domains where word-level tokens keep sequences short (both stay byte-level, so any
   * text still encodes).
   */
  kind: 'bpe' | 'word';
  /** Upper bound on the vocabulary (bytes, merges and special tokens); required for `bpe`. */
  vocabSize?: number;
  /** Pairs seen fewer times than this are not merged (default 2 for bpe, 1 for word). */
  minFrequency?: number;
  /** Keep each digit its own token, which makes arithmetic learnable (default true). */
  splitDigits?: boolean;
  /** Special tokens appended after the learned vocabulary. */
  specialTokens?: string[];
}

/** ChatML's special tokens; the end-of-turn token doubles as end of sequence. */
export const CHATML_SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];

const SEPARATOR = '\u0000';
const hasDigit = (text: string): boolean => /[0-9]/.test(text);

interface Word {
  symbols: string[];
  count: number;
}

/** Learn a byte-level BPE vocabulary from a corpus (deterministic: ties break by pair text). */
export function trainTokenizer(corpus: Iterable<string>, options: TrainTokenizerOptions): Tokenizer {
  const specials = options.specialTokens ?? CHATML_SPECIAL_TOKENS;
  const splitDigits = options.splitDigits ?? true;
  const minFrequency = options.minFrequency ?? (options.kind === 'word' ? 1 : 2);
  const maxMerges =
    options.kind === 'word'
      ? Number.POSITIVE_INFINITY
      : Math.max(0, (options.vocabSize ?? 4096) - 256 - specials.length);

  const counts = new Map<string, number>();
  for (const text of corpus) {
    for (const piece of preTokenize(text)) {
      const key = toByteLevel(piece);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const words: Word[] = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([text, count]) => ({ symbols: Array.from(text), count }));

  const pairCounts = new Map<string, number>();
  const pairWords = new Map<string, Set<number>>();
  const addPairs = (index: number, sign: 1 | -1): void => {
    const word = words[index]!;
    for (let i = 0; i + 1 < word.symbols.length; i++) {
      const left = word.symbols[i]!;
      const right = word.symbols[i + 1]!;
      if (splitDigits && (hasDigit(left) || hasDigit(right))) continue;
      const key = left + SEPARATOR + right;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * word.count);
      if (sign > 0) {
        const set = pairWords.get(key) ?? new Set<number>();
        if (set.size === 0) pairWords.set(key, set);
        set.add(index);
      }
    }
  };
  for (let index = 0; index < words.length; index++) addPairs(index, 1);

  const merges: string[] = [];
  const learned: string[] = [];
  while (merges.length < maxMerges) {
    let best: string | undefined;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && best !== undefined && count > 0 && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (best === undefined || bestCount < minFrequency || bestCount <= 0) break;
    const [left, right] = best.split(SEPARATOR) as [string, string];
    const merged = left + right;
    merges.push(`${left} ${right}`);
    learned.push(merged);
    for (const index of pairWords.get(best) ?? []) {
      const word = words[index]!;
      addPairs(index, -1);
      const next: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === left && word.symbols[i + 1] === right) {
          next.push(merged);
          i++;
        } else {
          next.push(word.symbols[i]!);
        }
      }
      word.symbols = next;
      addPairs(index, 1);
    }
    pairCounts.delete(best);
    pairWords.delete(best);
  }

  const tokens = [...byteToChar, ...learned, ...specials];
  const tokenTypes = [
    ...byteToChar.map(() => TokenType.Normal),
    ...learned.map(() => TokenType.Normal),
    ...specials.map(() => TokenType.Control),
  ];
  const idOf = (text: string): number | undefined => {
    const id = tokens.lastIndexOf(text);
    return id >= 0 ? id : undefined;
  };
  const data: TokenizerData = { tokens, tokenTypes, merges, addBosToken: false };
  const endOfText = idOf('<|endoftext|>');
  const endOfTurn = idOf('<|im_end|>');
  if (endOfText !== undefined) {
    data.bosTokenId = endOfText;
    data.paddingTokenId = endOfText;
  }
  if (endOfTurn !== undefined) {
    data.eosTokenId = endOfTurn;
    data.eotTokenId = endOfTurn;
  }
  return new Tokenizer(data);
}
