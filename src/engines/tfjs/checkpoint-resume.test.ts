import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, TrainingError } from '../../errors.js';
import { randomLlamaWeights, seededRandom } from '../../model/random-weights.js';
import type { TrainingProgress } from '../../training/training-engine.js';
import { LlamaTrainer, type TrainerSettings } from './llama-trainer.js';
import { copyTaskExample, smallLlamaConfig } from './synthetic-tasks.js';
import { splitExamples } from './training-example.js';
import { runTrainingLoop, totalSteps } from './training-loop.js';
import { useWasmBackend } from './wasm-backend.js';

beforeAll(useWasmBackend);

const config = smallLlamaConfig({ embeddingLength: 32, feedForwardLength: 64, headCount: 2, headCountKv: 1 });
const random = seededRandom(4);
const examples = Array.from({ length: 40 }, () =>
  copyTaskExample(random, config.vocabSize, 3 + Math.floor(random() * 5)),
);
const { train, validation } = splitExamples(examples, 0.2, 1);
const epochs = 3;
const batchSize = 8;

function trainer(lora: boolean): LlamaTrainer {
  const settings: TrainerSettings = {
    learningRate: 3e-3,
    warmupSteps: 2,
    totalSteps: totalSteps(train.length, batchSize, epochs),
    weightDecay: 0.01,
    gradientClipNorm: 1,
    seed: 7,
    ...(lora ? { lora: { rank: 2, alpha: 4, targets: ['attn_q', 'attn_v'] as const } } : {}),
  };
  return new LlamaTrainer(config, randomLlamaWeights(config, 5), settings);
}

const loopOptions = { train, validation, epochs, batchSize, seed: 3, fingerprint: 'test' };

async function interruptedThenResumed(lora: boolean, directory: string) {
  const first = trainer(lora);
  const events: TrainingProgress[] = [];
  await expect(
    runTrainingLoop({
      ...loopOptions,
      trainer: first,
      checkpointDirectory: directory,
      onProgress: (event) => events.push(event),
      shouldStop: () => events.some((event) => event.epochEnd && event.epoch === 1),
    }),
  ).rejects.toBeInstanceOf(AbortedError);
  first.dispose();
  const second = trainer(lora);
  const result = await runTrainingLoop({
    ...loopOptions,
    trainer: second,
    checkpointDirectory: directory,
    resume: true,
  });
  return { trainer: second, result };
}

describe('checkpoints', () => {
  for (const lora of [false, true]) {
    it(`resuming from the latest checkpoint ends with the same weights as an uninterrupted run (${lora ? 'LoRA' : 'full'})`, async () => {
      const straight = trainer(lora);
      const uninterrupted = await runTrainingLoop({
        ...loopOptions,
        trainer: straight,
        checkpointDirectory: await mkdtemp(join(tmpdir(), 'ckpt-a-')),
      });
      const directory = await mkdtemp(join(tmpdir(), 'ckpt-b-'));
      const resumed = await interruptedThenResumed(lora, directory);
      expect(resumed.trainer.step).toBe(straight.step);
      const expected = straight.trainableSnapshot();
      const actual = resumed.trainer.trainableSnapshot();
      expect([...actual.keys()]).toEqual([...expected.keys()]);
      for (const [name, tensor] of expected) expect(actual.get(name)!.data, name).toEqual(tensor.data);
      // History carries over: epoch 0 baseline plus three epochs, identical losses.
      expect(resumed.result.history.map((event) => event.validationLoss)).toEqual(
        uninterrupted.history.map((event) => event.validationLoss),
      );
      const files = await readdir(directory);
      expect(files).toContain('epoch-0003.checkpoint.gguf');
      straight.dispose();
      resumed.trainer.dispose();
    });
  }

  it('refuses to resume a checkpoint made with other settings or data', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'ckpt-c-'));
    const first = trainer(false);
    await runTrainingLoop({ ...loopOptions, epochs: 1, trainer: first, checkpointDirectory: directory });
    first.dispose();
    const second = trainer(false);
    await expect(
      runTrainingLoop({
        ...loopOptions,
        trainer: second,
        checkpointDirectory: directory,
        resume: true,
        fingerprint: 'other',
      }),
    ).rejects.toBeInstanceOf(TrainingError);
    second.dispose();
  });
});
