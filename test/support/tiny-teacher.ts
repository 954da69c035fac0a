import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createModel } from '../../src/model/create-model.js';
import { writeLlamaModel } from '../../src/model/llama-model-file.js';
import { type RunningLlamaServer, startLlamaServer } from './llama-server.js';
import { temporaryDirectory } from './paths.js';

/** Question and answer pairs for runs with a tiny LLM teacher. */
export const teacherQuestions = [
  ['What is first-line treatment of acute cholangitis?', 'biliary drainage and antibiotics'],
  ['Which test confirms celiac disease?', 'duodenal biopsy'],
  ['What treats Wilson disease?', 'penicillamine'],
  ['What treats Helicobacter pylori ulcer?', 'triple therapy'],
  ['Which antibody marks autoimmune hepatitis?', 'anti-smooth muscle antibody'],
  ['What treats hepatic encephalopathy?', 'lactulose'],
  ['What treats primary biliary cholangitis?', 'ursodeoxycholic acid'],
  ['What treats variceal bleeding?', 'band ligation'],
];

/**
 * llama-server serving a tiny random model as an OpenAI-compatible teacher. A random model emits
 * arbitrary bytes, and llama-server refuses replies that are not valid UTF-8: silencing the byte
 * tokens above 0x7F (ids 128-255 in our vocabularies, tied to the output) keeps the replies ASCII;
 * what they say is still noise.
 */
export async function startTinyTeacher(): Promise<RunningLlamaServer> {
  const teacher = createModel({
    corpus: teacherQuestions.flat(),
    layers: 1,
    embeddingLength: 64,
    contextLength: 2048,
    seed: 5,
  });
  const embeddings = teacher.weights.get('token_embd.weight')!;
  embeddings.data.fill(0, 128 * 64, 256 * 64);
  const modelPath = join(await temporaryDirectory(), 'teacher.gguf');
  await writeLlamaModel(modelPath, teacher);
  return startLlamaServer({ modelPath, parallel: 4, contextSize: 8192 });
}

/** Writes the first six pairs as train.jsonl and the last two as test.jsonl (chat records). */
export async function writeTeacherSplits(dir: string): Promise<{ train: string; test: string }> {
  const lines = (pairs: string[][]) =>
    pairs
      .map(([question, answer]) =>
        JSON.stringify({
          messages: [
            { role: 'user', content: question },
            { role: 'assistant', content: answer },
          ],
        }),
      )
      .join('\n');
  const train = join(dir, 'train.jsonl');
  const test = join(dir, 'test.jsonl');
  await writeFile(train, `${lines(teacherQuestions.slice(0, 6))}\n`);
  await writeFile(test, `${lines(teacherQuestions.slice(6))}\n`);
  return { train, test };
}

/** A MedThink run config over the tiny teacher: short structured replies, a tiny new student. */
export function tinyTeacherRunConfig(server: RunningLlamaServer, data: { train: string; test: string }) {
  return {
    name: 'llm-teacher',
    // llama-server takes the schema as its own `json_schema` field (its chat `response_format` fails on a homemade template).
    teacher: `llama-server:${server.baseUrl}#tiny`,
    structuredOutput: true,
    // A random model fills every string to its limit: keep replies short.
    teacherLimits: { maxTokens: 256, maxCharacters: 60 },
    student: {
      model: 'new',
      shape: { layers: 1, embeddingLength: 32, contextLength: 512, tokenizer: 'bpe' },
      training: { epochs: 1, batchSize: 4, validationSplit: 0 },
      maxAnswerTokens: 24,
    },
    data,
    strategies: ['medthink'],
    concurrency: 4,
  };
}
