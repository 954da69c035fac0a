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
