import { LlamaTrainer } from '../src/engines/tfjs/llama-trainer.js';
import { defaultLoraTargets } from '../src/engines/tfjs/lora.js';
import { smallLlamaConfig } from '../src/engines/tfjs/synthetic-tasks.js';
import type { TrainingExample } from '../src/engines/tfjs/training-example.js';
import type { LlamaConfig } from '../src/model/llama-config.js';
import { randomLlamaWeights } from '../src/model/random-weights.js';

/** The models the training benches measure: one Llama architecture at three sizes, plus LoRA. */
export interface BenchModel {
  name: string;
  config: LlamaConfig;
  loraRank?: number;
  steps: number;
}

export const MODELS: BenchModel[] = [
  {
    name: '0.5M',
    config: smallLlamaConfig({
      vocabSize: 1024,
      embeddingLength: 128,
      blockCount: 2,
      headCount: 4,
      feedForwardLength: 352,
    }),
    steps: 20,
  },
  {
    name: '4M',
    config: smallLlamaConfig({
      vocabSize: 2048,
      embeddingLength: 256,
      blockCount: 4,
      headCount: 4,
      feedForwardLength: 704,
    }),
    steps: 8,
  },
  {
    name: '30M',
    config: smallLlamaConfig({
      vocabSize: 2048,
      embeddingLength: 512,
      blockCount: 9,
      headCount: 8,
      feedForwardLength: 1376,
    }),
    steps: 3,
  },
];
MODELS.push({ ...MODELS[2]!, name: '30M-lora', loraRank: 8 });

/** A trainer for one bench model, with the bench's optimizer settings (AdamW, clipping, no warm-up). */
export function createBenchTrainer(model: BenchModel, totalSteps: number): LlamaTrainer {
  return new LlamaTrainer(model.config, randomLlamaWeights(model.config, 1), {
    learningRate: 1e-3,
    warmupSteps: 0,
    totalSteps,
    weightDecay: 0.01,
    gradientClipNorm: 1,
    seed: 1,
    ...(model.loraRank
      ? { lora: { rank: model.loraRank, alpha: 2 * model.loraRank, targets: defaultLoraTargets } }
      : {}),
  });
}

/** `batchSize` random sequences of `length` + 1 tokens, loss on every position. */
export function randomExamples(
  random: () => number,
  vocabularySize: number,
  batchSize: number,
  length: number,
): TrainingExample[] {
  return Array.from({ length: batchSize }, () => {
    const tokens = Int32Array.from({ length: length + 1 }, () => Math.floor(random() * vocabularySize));
    return { tokens, lossMask: new Uint8Array(length + 1).fill(1) };
  });
}
