import { describe, expect, it } from 'vitest';
import { trainTokenizer } from './train-bpe.js';
import { wordTokenCount } from './word-token-count.js';

describe('wordTokenCount', () => {
  it('counts what a word-level tokenizer gives a corpus text, punctuation and digits included', () => {
    const corpus = ['Answer: a 45 year old man .', 'In summary :\nAnswer: B. strict gluten-free diet'];
    const tokenizer = trainTokenizer(corpus, { kind: 'word' });
    for (const text of corpus) expect(wordTokenCount(text)).toBe(tokenizer.encode(text).length);
    // Whitespace words undercount: 7 words; Answer, :, a, space 4 5, year, old, man, . are 10 tokens.
    expect(wordTokenCount(corpus[0]!)).toBe(10);
  });
});
