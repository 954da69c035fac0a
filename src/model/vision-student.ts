import { join } from 'node:path';
import { createModel } from './create-model.js';
import { writeLlamaModel } from './llama-model-file.js';
import {
  type VisionProjectorConfig,
  type VisionProjectorOptions,
  writeVisionProjectorFile,
} from './vision-projector.js';

/** A tiny random vision-language student: the text model and the encoder and projector beside it. */
export interface VisionStudentOptions {
  /** Texts the text model's tokenizer is learned from (the words of the prompts and answers). */
  corpus: string[];
  /** Text model blocks (default 2). */
  layers?: number;
  /** Text model width, also the projector's output width (default 64). */
  embeddingLength?: number;
  heads?: number;
  /** Text context; prompt plus image tokens must fit (default 2048). */
  contextLength?: number;
  vocabSize?: number;
  /** Image encoder shape (defaults: 32 px images, 8 px patches, width 64, 2 blocks). */
  vision?: Omit<VisionProjectorOptions, 'textEmbeddingLength' | 'seed' | 'name' | 'complete'>;
  seed?: number;
  /** File name stem (default `vision-student`): writes `<stem>.gguf` and `<stem>.mmproj.gguf`. */
  name?: string;
}

export interface VisionStudentFiles {
  /** The text GGUF (ChatML template, untied head). */
  modelPath: string;
  /** The mmproj GGUF (`clip.projector_type` "mlp", complete CLIP ViT layout) for `--mmproj`. */
  projectorPath: string;
  projector: VisionProjectorConfig;
}

/**
 * Write a tiny random vision-language student into `directory`: a Llama text model and a
 * LLaVA-style mmproj with layer norms and biases, which llama-server loads with `--mmproj` and
 * the embedded engine trains (`TrainingJob.visionProjector`). No downloaded weights.
 */
export async function createVisionStudent(
  directory: string,
  options: VisionStudentOptions,
): Promise<VisionStudentFiles> {
  const embeddingLength = options.embeddingLength ?? 64;
  const seed = options.seed ?? 1;
  const stem = options.name ?? 'vision-student';
  const model = createModel({
    corpus: options.corpus,
    layers: options.layers ?? 2,
    embeddingLength,
    ...(options.heads !== undefined ? { heads: options.heads } : {}),
    ...(options.vocabSize !== undefined ? { vocabSize: options.vocabSize } : {}),
    contextLength: options.contextLength ?? 2048,
    // With tied embeddings a random model mostly predicts its own last token.
    tiedOutput: false,
    seed,
    name: stem,
  });
  const modelPath = join(directory, `${stem}.gguf`);
  await writeLlamaModel(modelPath, model, 'f32');
  const { path: projectorPath, config } = await writeVisionProjectorFile(
    join(directory, `${stem}.mmproj.gguf`),
    {
      ...options.vision,
      textEmbeddingLength: embeddingLength,
      complete: true,
      seed: seed + 1,
      name: `${stem} vision`,
    },
  );
  return { modelPath, projectorPath, projector: config };
}
