import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TfjsTrainingEngine } from '../../src/engines/tfjs/tfjs-training-engine.js';
import { readProjectorModel } from '../../src/engines/tfjs/vision/projector-file.js';
import { AbortedError, InputError } from '../../src/errors.js';
import { createVisionStudent, type VisionStudentFiles } from '../../src/model/vision-student.js';
import { defaultHyperparameters } from '../../src/training/default-hyperparameters.js';
import type { TrainingJob, TrainingProgress } from '../../src/training/training-engine.js';
import { startLlamaServer } from '../support/llama-server.js';
import { gradientPng, imageQuestionMessage } from './synthetic-images.js';

/**
 * A short vision training run: the answer depends only on the image (a gradient running across
 * the image or down it), so the loss can fall only if the image reaches the student through the
 * encoder and projector; then llama-server, given the trained text model and mmproj, answers
 * from the image.
 */
const question = 'Which way does the shading run? Final Answer: across or down.';
const answers = ['Final Answer: across', 'Final Answer: down'];

let directory: string;
let student: VisionStudentFiles;
let dataPath: string;
const urls: string[] = [];

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'vision-training-'));
  student = await createVisionStudent(directory, { corpus: [question, ...answers], seed: 3 });
  // Variants 0, 2, 4 shade across (x); 1, 3, 5 down (y); tints differ, so colour alone cannot tell.
  for (let variant = 0; variant < 6; variant++)
    urls.push(`data:image/png;base64,${(await gradientPng(32, 32, variant)).toString('base64')}`);
  const lines = Array.from({ length: 24 }, (_, i) =>
    JSON.stringify({
      messages: [
        imageQuestionMessage(urls[i % 6]!, question),
        { role: 'assistant', content: answers[i % 2] },
      ],
    }),
  );
  dataPath = join(directory, 'train.jsonl');
  await writeFile(dataPath, `${lines.join('\n')}\n`);
}, 60_000);

afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

const job = (name: string, overrides: Partial<TrainingJob['hyperparameters']> = {}): TrainingJob => ({
  baseModel: student.modelPath,
  visionProjector: student.projectorPath,
  dataPath,
  outputPath: join(directory, `${name}.gguf`),
  checkpointDir: join(directory, `${name}-checkpoints`),
  hyperparameters: {
    ...defaultHyperparameters,
    epochs: 40,
    batchSize: 6,
    learningRate: 1e-2,
    validationSplit: 0,
    ...overrides,
  },
});

function epochLosses(history: TrainingProgress[]): number[] {
  return history
    .filter((event) => event.epochEnd && event.trainLoss !== undefined)
    .map((event) => event.trainLoss!);
}

async function serverAnswers(
  modelPath: string,
  projectorPath: string,
  extraArgs: string[] = [],
): Promise<string[]> {
  const server = await startLlamaServer({
    modelPath,
    contextSize: 2048,
    parallel: 1,
    extraArgs: ['--mmproj', projectorPath, ...extraArgs],
  });
  try {
    const replies: string[] = [];
    for (const url of urls) {
      const response = await fetch(`${server.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          messages: [imageQuestionMessage(url, question)],
          max_tokens: 8,
          temperature: 0,
        }),
      });
      const body = (await response.json()) as { choices: { message: { content: string } }[] };
      replies.push(body.choices[0]!.message.content.trim());
    }
    return replies;
  } finally {
    await server.stop();
  }
}

describe('vision student training (TF.js engine)', () => {
  it('lowers the loss, writes an mmproj llama-server loads, and the trained mmproj decides the answer', async () => {
    const result = await new TfjsTrainingEngine().train(job('full'));
    const losses = epochLosses(result.history);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.05);
    expect(result.projectorPath).toBe(join(directory, 'full.mmproj.gguf'));
    const trained = await readProjectorModel(result.projectorPath!);
    const original = await readProjectorModel(student.projectorPath);
    expect(trained.weights.get('mm.0.weight')!.data).not.toEqual(original.weights.get('mm.0.weight')!.data);
    // The last block is never run by the LLaVA graph: written back untouched.
    expect(trained.weights.get('v.blk.1.ffn_up.weight')!.data).toEqual(
      original.weights.get('v.blk.1.ffn_up.weight')!.data,
    );

    const withTrained = await serverAnswers(result.modelPath, result.projectorPath!);
    expect(withTrained).toEqual(urls.map((_, i) => answers[i % 2]));
    const withOriginal = await serverAnswers(result.modelPath, student.projectorPath);
    expect(withOriginal).not.toEqual(withTrained);
  }, 300_000);

  it('trains LoRA factors on the encoder and projector, merged into the written mmproj', async () => {
    // At 1e-2 this run reaches a loss of 0.001 and then jumps out of it; 5e-3 settles.
    const result = await new TfjsTrainingEngine().train(
      job('vision-lora', { visionTraining: 'lora', learningRate: 5e-3 }),
    );
    const losses = epochLosses(result.history);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.1);
    const trained = await readProjectorModel(result.projectorPath!);
    expect([...trained.weights.keys()].some((name) => name.includes('lora'))).toBe(false);
    expect(await serverAnswers(result.modelPath, result.projectorPath!)).toEqual(
      urls.map((_, i) => answers[i % 2]),
    );
  }, 300_000);

  it('writes a text LoRA adapter that llama-server loads beside the trained mmproj', async () => {
    // A random base with a frozen head cannot become confident through LoRA alone (its logits
    // stay small), so this checks the files and a falling loss, not the answers.
    const result = await new TfjsTrainingEngine().train(
      job('text-lora', { loraRank: 8, loraAlpha: 16, visionTraining: 'lora', epochs: 8 }),
    );
    const losses = epochLosses(result.history);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.9);
    expect(result.modelPath).toBe(student.modelPath);
    expect(result.adapterPath).toBe(join(directory, 'text-lora.gguf'));
    expect(result.projectorPath).toBe(join(directory, 'text-lora.mmproj.gguf'));
    const replies = await serverAnswers(result.modelPath, result.projectorPath!, [
      '--lora',
      result.adapterPath!,
    ]);
    expect(replies).toHaveLength(urls.length);
  }, 300_000);

  it('resumes an interrupted vision run from its checkpoint to the same mmproj as an uninterrupted run', async () => {
    const engine = new TfjsTrainingEngine();
    const settings = { epochs: 3 };
    const straight = await engine.train(job('straight', settings));
    const controller = new AbortController();
    const interrupted = job('resumed', settings);
    await expect(
      engine.train(interrupted, {
        signal: controller.signal,
        onProgress: (event) => {
          if (event.epochEnd && event.epoch === 1) controller.abort();
        },
      }),
    ).rejects.toThrow(AbortedError);
    const resumed = await engine.train(interrupted, { resume: true });
    expect(epochLosses(resumed.history)).toEqual(epochLosses(straight.history));
    const [a, b] = await Promise.all([
      readProjectorModel(straight.projectorPath!),
      readProjectorModel(resumed.projectorPath!),
    ]);
    for (const [name, tensor] of a.weights) expect(b.weights.get(name)!.data, name).toEqual(tensor.data);
  }, 300_000);

  it('keeps a frozen vision part as it is, and refuses images for a text-only job', async () => {
    const frozen = await new TfjsTrainingEngine({ useWorker: false }).train(
      job('frozen', { epochs: 1, visionTraining: 'frozen' }),
    );
    expect(frozen.projectorPath).toBe(student.projectorPath);
    const { visionProjector: _, ...textOnly } = job('text-only', { epochs: 1 });
    await expect(new TfjsTrainingEngine({ useWorker: false }).train(textOnly)).rejects.toThrow(InputError);
    await expect(new TfjsTrainingEngine({ useWorker: false }).train(textOnly)).rejects.toThrow(
      /train\.jsonl:1/,
    );
  }, 120_000);
});
