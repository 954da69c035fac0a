import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testLlama } from '../../test/support/llama.js';
import { sharedDataPath, temporaryDirectory } from '../../test/support/paths.js';
import { createModelFile } from '../model/create-model.js';
import { readLlamaModel } from '../model/llama-model-file.js';
import { CHATML_TEMPLATE, renderChat } from './chat-template.js';
import { trainTokenizer } from './train-bpe.js';

const handWritten = [
  'A 45-year-old man presents with jaundice, fever and right upper quadrant pain.',
  'What is 12 + 34? The answer is 46.',
  'Hépatite aiguë; 肝炎 (hepatitis); emoji 🙂 and symbols ±µ°.',
  "it's   spaced\tout\n\nnew lines\r\n and 'quotes' we'll see",
  '   leading spaces and trailing   ',
  'ALLCAPS mixedCase snake_case kebab-case 3.14159 1e-5 $100 50%',
];

async function pubmedQuestions(limit: number): Promise<string[]> {
  const path = sharedDataPath('pubmedqa', 'ori_pqal.json');
  if (!existsSync(path)) return [];
  const data = JSON.parse(await readFile(path, 'utf8')) as Record<
    string,
    { QUESTION: string; CONTEXTS: string[] }
  >;
  return Object.values(data)
    .slice(0, limit)
    .flatMap((entry) => [entry.QUESTION, entry.CONTEXTS[0] ?? '']);
}

describe('byte-level BPE tokenizer', () => {
  it('tokenizes exactly as llama.cpp does, on real abstracts and messy text', async () => {
    const real = await pubmedQuestions(60);
    const corpus = [...handWritten, ...real.slice(0, 80)];
    const dir = await temporaryDirectory();
    const path = join(dir, 'bpe.gguf');
    await createModelFile({
      out: path,
      corpus,
      tokenizer: 'bpe',
      vocabSize: 1200,
      layers: 1,
      embeddingLength: 32,
    });
    const ours = await readLlamaModel(path);
    const llama = await testLlama();
    const model = await llama.loadModel({ modelPath: path });
    // Held-out text too: words the merges never saw must still agree.
    const probes = [
      ...corpus,
      ...real.slice(80),
      renderChat(CHATML_TEMPLATE, [{ role: 'user', content: 'Is 7 + 8 = 15?' }], {
        addGenerationPrompt: true,
      }),
      'unseen zebra 999 ¿qué? naïve café',
    ];
    let compared = 0;
    for (const text of probes) {
      const expected = Array.from(model.tokenize(text, true));
      expect(ours.tokenizer!.encode(text), text).toEqual(expected);
      expect(ours.tokenizer!.decode(expected, { special: true })).toBe(text);
      compared++;
    }
    expect(compared).toBeGreaterThan(handWritten.length);
    await model.dispose();
  });

  it('word-level vocabularies make each corpus word one token and still encode any text', () => {
    const corpus = [
      'findings of jaundice indicate cholangitis',
      'cholangitis is managed with biliary drainage',
    ];
    const tokenizer = trainTokenizer(corpus, { kind: 'word' });
    expect(tokenizer.encode(' cholangitis')).toHaveLength(1);
    expect(tokenizer.encode('findings of jaundice indicate cholangitis')).toHaveLength(5);
    const unseen = 'Wilson disease ✓';
    expect(tokenizer.decode(tokenizer.encode(unseen))).toBe(unseen);
  });

  it('keeps digits as single tokens and respects the vocabulary bound', () => {
    const corpus = Array.from({ length: 200 }, (_, i) => `${i} + ${i * 7} = ${i * 8} and the answer follows`);
    const tokenizer = trainTokenizer(corpus, { kind: 'bpe', vocabSize: 300 });
    expect(tokenizer.vocabSize).toBeLessThanOrEqual(300);
    const ids = tokenizer.encode('1234');
    expect(ids.map((id) => tokenizer.decode([id]))).toEqual(['1', '2', '3', '4']);
  });

  it('parses special tokens only when asked', () => {
    const tokenizer = trainTokenizer(['hello'], { kind: 'word' });
    const end = tokenizer.tokenId('<|im_end|>')!;
    expect(tokenizer.encode('hello<|im_end|>')).toContain(end);
    expect(tokenizer.encode('hello<|im_end|>', { parseSpecial: false })).not.toContain(end);
  });
});
