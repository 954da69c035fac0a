import { join } from 'node:path';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testLlama } from '../../../test/support/llama.js';
import { temporaryDirectory } from '../../../test/support/paths.js';
import { createModelFile } from '../../model/create-model.js';
import { continuationLogprobs } from './log-likelihood.js';

/**
 * The method this file replaced: every position's full-vocabulary logits came back as a Map and
 * were log-softmaxed in JavaScript, one decode per continuation. Kept here as the reference.
 */
async function mapBasedLogprobs(sequence: LlamaContextSequence, prompt: Token[], continuations: Token[][]) {
  const logSoftmaxAt = (logits: Map<Token, number> | undefined, target: Token) => {
    const values = [...logits!.values()];
    const max = Math.max(...values);
    const normaliser = max + Math.log(values.reduce((sum, value) => sum + Math.exp(value - max), 0));
    return (logits!.get(target) ?? Number.NEGATIVE_INFINITY) - normaliser;
  };
  const last = prompt.length - 1;
  const promptResults = await sequence.controlledEvaluate(
    prompt.map((token, index) => (index === last ? [token, { generateNext: { logits: true } }] : token)),
  );
  const scores: number[] = [];
  for (const continuation of continuations) {
    if (continuation.length === 0) {
      scores.push(0);
      continue;
    }
    let total = logSoftmaxAt(promptResults[last]?.next.logits, continuation[0]!);
    if (continuation.length > 1) {
      const results = await sequence.controlledEvaluate(
        continuation.slice(0, -1).map((token) => [token, { generateNext: { logits: true } }]),
      );
      for (let i = 1; i < continuation.length; i++)
        total += logSoftmaxAt(results[i - 1]?.next.logits, continuation[i]!);
      await sequence.eraseContextTokenRanges([{ start: prompt.length, end: sequence.nextTokenIndex }]);
    }
    scores.push(total);
  }
  await sequence.clearHistory();
  return scores;
}

describe('continuationLogprobs (log-softmax and gather in llama.cpp)', () => {
  let sequence: LlamaContextSequence;
  let tokenize: (text: string) => Token[];
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const path = join(await temporaryDirectory(), 'loglik.gguf');
    await createModelFile({
      out: path,
      corpus: ['the patient has jaundice and fever', 'A. drainage B. antibiotics C. surgery D. lactulose'],
      tokenizer: 'bpe',
      vocabSize: 300,
      embeddingLength: 64,
      contextLength: 128,
      seed: 5,
    });
    const model = await (await testLlama()).loadModel({ modelPath: path });
    const context = await model.createContext({ contextSize: 128, threads: 1 });
    sequence = context.getSequence();
    tokenize = (text) => model.tokenize(text, false);
    dispose = async () => {
      await context.dispose();
      await model.dispose();
    };
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('gives the scores the full-vocabulary Map method gave', async () => {
    const prompt = tokenize('the patient has jaundice and fever. Answer:');
    // Shared first tokens, one-token, empty and long continuations, a repeat.
    const continuations = [
      ' A. drainage',
      ' A. antibiotics',
      ' B',
      '',
      ' C. surgery and then lactulose',
      ' A. drainage',
    ].map(tokenize);
    const expected = await mapBasedLogprobs(sequence, prompt, continuations);
    const scores = await continuationLogprobs(sequence, prompt, continuations);
    await sequence.clearHistory();
    expect(scores).toHaveLength(expected.length);
    scores.forEach((score, index) => {
      expect(score).toBeCloseTo(expected[index]!, 5);
    });
    expect(scores[3]).toBe(0);
    expect(scores[5]).toBeCloseTo(scores[0]!, 9);
    expect(Math.min(...scores.filter((score) => score !== 0))).toBeLessThan(0);
  });
});
