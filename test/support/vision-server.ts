import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel } from '../../src/model/create-model.js';
import type { LlamaWeights } from '../../src/model/llama-config.js';
import { writeLlamaModel } from '../../src/model/llama-model-file.js';
import { type VisionProjectorConfig, writeVisionProjectorFile } from '../../src/model/vision-projector.js';
import { type LlamaServerOptions, type RunningLlamaServer, startLlamaServer } from './llama-server.js';

/** Texts the tiny vision model's tokenizer is learned from: the words VQA prompts use. */
const visionCorpus = [
  'Is there evidence of a pneumothorax in this chest x-ray?',
  'Which organ is shown in the image? Is the lesion on the left or the right?',
  'Think step by step, then answer yes or no. Answer yes, no or maybe.',
  'End your response with exactly this format: Final Answer: X',
  'Final Answer: A. Final Answer: B. Final Answer: yes. Final Answer: no.',
  'The image shows a CT scan of the abdomen with a hepatic mass.',
];

export interface TinyVisionModelFiles {
  modelPath: string;
  projectorPath: string;
  projector: VisionProjectorConfig;
}

/**
 * Writes a tiny random text model (ChatML, n_embd 64, context 2048; what createModelFile writes,
 * with an untied head and amplified attention so the image can change the reply) and a matching
 * LLaVA-style projector (32 px images, 8 px patches: 16 image tokens) into `directory`.
 */
export async function createTinyVisionModel(directory: string, seed = 11): Promise<TinyVisionModelFiles> {
  const embeddingLength = 64;
  const model = createModel({
    corpus: visionCorpus,
    layers: 2,
    embeddingLength,
    // The server caps a slot at the model's context: prompt plus image tokens must fit.
    contextLength: 2048,
    // An untied output head: with tied embeddings a random model predicts its own last token.
    tiedOutput: false,
    seed,
    name: 'medistill-tiny-vlm',
  });
  amplifyContext(model.weights, 8);
  const modelPath = join(directory, 'tiny-vlm.gguf');
  await writeLlamaModel(modelPath, model);
  const { path: projectorPath, config } = await writeVisionProjectorFile(
    join(directory, 'tiny-mmproj.gguf'),
    {
      textEmbeddingLength: embeddingLength,
      imageSize: 32,
      patchSize: 8,
      embeddingLength: 64,
      feedForwardLength: 128,
      blockCount: 2,
      seed,
    },
  );
  return { modelPath, projectorPath, projector: config };
}

export type RunningVisionServer = RunningLlamaServer & TinyVisionModelFiles;

/** A running llama-server with `--mmproj` over a fresh tiny vision model; `stop` removes its files. */
export async function startTinyVisionServer(
  options: Omit<LlamaServerOptions, 'modelPath'> = {},
): Promise<RunningVisionServer> {
  const directory = await mkdtemp(join(tmpdir(), 'medistill-vision-server-'));
  try {
    const files = await createTinyVisionModel(directory);
    const server = await startLlamaServer({
      contextSize: 4096,
      parallel: 2,
      ...options,
      modelPath: files.modelPath,
      extraArgs: ['--mmproj', files.projectorPath, ...(options.extraArgs ?? [])],
    });
    return {
      ...server,
      ...files,
      stop: async () => {
        await server.stop();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/**
 * At GPT-2 initialisation (std 0.02) a random model's attention adds almost nothing to the
 * residual stream, so its reply hardly depends on context: sixteen image tokens would change
 * nothing. Larger value and output projections make what the model attends to, the image
 * included, decide its greedy reply.
 */
function amplifyContext(weights: LlamaWeights, factor: number): void {
  for (const [name, tensor] of weights) {
    if (/\.attn_(?:v|output)\.weight$/.test(name))
      for (let i = 0; i < tensor.data.length; i++) tensor.data[i]! *= factor;
  }
}
