import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { temporaryDirectory } from '../../../test/support/paths.js';
import { createModelFile } from '../../model/create-model.js';
import type { GgufLanguageModel } from './gguf-language-model.js';
import { validateJsonOutput } from './json-output.js';
import { LlamaCppRuntime } from './llama-cpp-runtime.js';

const corpus = [
  'the patient has jaundice and fever',
  'answer yes or no',
  'cholangitis is treated with drainage',
];

describe('GGUF runtime (llama.cpp)', () => {
  let model: GgufLanguageModel;
  beforeAll(async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'tiny.gguf');
    await createModelFile({
      out: path,
      corpus,
      tokenizer: 'word',
      embeddingLength: 64,
      contextLength: 128,
      seed: 3,
    });
    model = await new LlamaCppRuntime().loadModel(path, { parallelSequences: 4 });
  });
  afterAll(async () => {
    await model?.close();
  });

  it('gives the same greedy output for a prompt whether it runs alone or beside others', async () => {
    const prompts = ['the patient has', 'answer yes', 'cholangitis is', 'fever and'];
    const alone = [];
    for (const prompt of prompts) {
      alone.push(
        (await model.generate({ messages: [{ role: 'user', content: prompt }], maxTokens: 12 })).choices[0]!
          .text,
      );
    }
    const together = await Promise.all(
      prompts.map(
        async (prompt) =>
          (await model.generate({ messages: [{ role: 'user', content: prompt }], maxTokens: 12 })).choices[0]!
            .text,
      ),
    );
    expect(together).toEqual(alone);
    expect(alone.some((text) => text.length > 0)).toBe(true);
  });

  it('returns n samples, and JSON that parses against the requested schema', async () => {
    const schema = z.object({
      answer: z.enum(['A', 'B', 'C', 'D']),
      confidence: z.number().int().min(0).max(100),
    });
    const response = await model.generate({
      messages: [{ role: 'user', content: 'answer yes or no' }],
      maxTokens: 48,
      temperature: 1,
      seed: 7,
      n: 3,
      jsonSchema: z.toJSONSchema(schema),
    });
    expect(response.choices).toHaveLength(3);
    for (const choice of response.choices) {
      const parsed = schema.safeParse(JSON.parse(choice.text));
      // The grammar guarantees the shape; bounds are checked after parsing, as the engine notes require.
      if (!parsed.success)
        expect(parsed.error.issues.every((issue) => issue.path[0] === 'confidence')).toBe(true);
      else expect(['A', 'B', 'C', 'D']).toContain(parsed.data.answer);
    }
    expect(response.usage.promptTokens).toBeGreaterThan(0);
  });

  it('rejects grammar-valid JSON whose numbers overflow to Infinity', () => {
    expect(() => validateJsonOutput('{"n": 98e800}')).toThrow(/non-finite number at \.n/);
    expect(validateJsonOutput('{"n": [1, 2.5]}')).toBe('{"n": [1, 2.5]}');
  });

  it('scores a continuation as the sum of its tokens next-token log-probabilities', async () => {
    const messages = [{ role: 'user' as const, content: 'the patient has' }];
    // Scored beside other continuations: each is erased after scoring, so none sees another.
    const [, score, again] = await model.scoreContinuations(messages, [
      ' cholangitis is treated',
      ' jaundice and fever',
      ' jaundice and fever',
    ]);
    expect(again!.logprob).toBeCloseTo(score!.logprob, 9);
    const prompt = model.tokenize(model.renderPrompt(messages));
    const continuation = model.tokenize(' jaundice and fever');
    expect(score!.tokenCount).toBe(continuation.length);
    // Recompute from full next-token distributions over prompt + continuation, position by position.
    const distributions = await model.tokenLogprobs([...prompt, ...continuation]);
    let expected = 0;
    continuation.forEach((token, i) => {
      expected += distributions[prompt.length - 1 + i]![token]!;
    });
    expect(score!.logprob).toBeCloseTo(expected, 6);
    expect(score!.logprob).toBeLessThan(0);
  });

  it('refuses a prompt longer than the context with a clear error', async () => {
    const long = 'jaundice '.repeat(400);
    await expect(model.generate({ messages: [{ role: 'user', content: long }] })).rejects.toThrow(
      /does not fit the model's context of 128 tokens/,
    );
  });

  it('refuses images, since the embedded runtime is text-only', async () => {
    await expect(
      model.generate({
        messages: [
          { role: 'user', content: [{ type: 'image', mediaType: 'image/png', data: new Uint8Array(4) }] },
        ],
      }),
    ).rejects.toThrow(/text-only/);
  });
});
