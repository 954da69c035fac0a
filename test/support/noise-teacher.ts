import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createModel } from '../../src/model/create-model.js';
import { writeLlamaModel } from '../../src/model/llama-model-file.js';
import { type RunningLlamaServer, startLlamaServer } from './llama-server.js';
import { temporaryDirectory } from './paths.js';

/**
 * llama-server serving a tiny random model over `corpus`: a real OpenAI-compatible teacher whose
 * replies are noise. A random model emits arbitrary bytes, and llama-server refuses replies that
 * are not valid UTF-8; silencing the byte tokens above 0x7F (ids 128-255 in our vocabularies, tied
 * to the output) keeps the replies ASCII.
 */
export async function startNoiseTeacher(corpus: string[], parallel = 4): Promise<RunningLlamaServer> {
  const teacher = createModel({ corpus, layers: 1, embeddingLength: 64, contextLength: 2048, seed: 5 });
  teacher.weights.get('token_embd.weight')!.data.fill(0, 128 * 64, 256 * 64);
  const modelPath = join(await temporaryDirectory(), 'teacher.gguf');
  await writeLlamaModel(modelPath, teacher);
  return startLlamaServer({ modelPath, parallel, contextSize: 2048 * parallel });
}

/** Short clinical question-answer pairs: the noise teacher's vocabulary and a tiny chat dataset. */
export const clinicalQuestions = [
  ['What is first-line treatment of acute cholangitis?', 'biliary drainage and antibiotics'],
  ['Which test confirms celiac disease?', 'duodenal biopsy'],
  ['What treats Wilson disease?', 'penicillamine'],
  ['What treats Helicobacter pylori ulcer?', 'triple therapy'],
  ['Which antibody marks autoimmune hepatitis?', 'anti-smooth muscle antibody'],
  ['What treats hepatic encephalopathy?', 'lactulose'],
  ['What treats primary biliary cholangitis?', 'ursodeoxycholic acid'],
  ['What treats variceal bleeding?', 'band ligation'],
];

/** Writes the first six pairs to `train.jsonl` and the rest to `test.jsonl` in chat format. */
export async function writeQuestionSplits(directory: string): Promise<void> {
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
  await writeFile(join(directory, 'train.jsonl'), `${lines(clinicalQuestions.slice(0, 6))}\n`);
  await writeFile(join(directory, 'test.jsonl'), `${lines(clinicalQuestions.slice(6))}\n`);
}

/**
 * A MedThink run over the noise teacher and the splits in `directory`: short structured replies
 * (llama-server takes the schema as its own `json_schema` field, since its chat `response_format`
 * fails on a homemade template), a tiny new student.
 */
export function noiseTeacherRunConfig(server: RunningLlamaServer, directory: string) {
  return {
    name: 'llm-teacher',
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
    data: { train: join(directory, 'train.jsonl'), test: join(directory, 'test.jsonl') },
    strategies: ['medthink'],
    concurrency: 4,
  };
}
