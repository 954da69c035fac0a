import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ggufConverter } from '../../src/compose/gguf-converter.js';
import { createStudentLoader } from '../../src/compose/student-loader.js';
import { LlamaCppRuntime } from '../../src/engines/llama-cpp/llama-cpp-runtime.js';
import { checkPythonPackages } from '../../src/engines/transformers/python-packages.js';
import { TransformersEngine } from '../../src/engines/transformers/transformers-engine.js';
import type { LanguageModel } from '../../src/models/language-model.js';
import type { TrainingHyperparameters, TrainingProgress } from '../../src/training/training-engine.js';
import {
  hasTrainingPackages,
  makeTinyHfModels,
  testPython,
  writeColourExamples,
  writeSumExamples,
} from '../support/hf-python.js';
import { temporaryDirectory } from '../support/paths.js';

const hyperparameters: TrainingHyperparameters = {
  epochs: 2,
  learningRate: 5e-3,
  batchSize: 8,
  validationSplit: 0.2,
  seed: 1,
  loraRank: 8,
  loraAlpha: 16,
  warmupRatio: 0.1,
  weightDecay: 0,
  gradientClipNorm: 1,
};

describe('transformers engine: the package check', () => {
  it('names every missing package in one message, from one quick Python call', async () => {
    await expect(
      checkPythonPackages(['python3'], ['json', 'no_such_module_for_medistill', 'another_missing_module']),
    ).rejects.toThrow(/does not have: no_such_module_for_medistill, another_missing_module \(install them/);
  });

  it('says when the Python itself cannot be started', async () => {
    await expect(checkPythonPackages(['/nonexistent/python3'], ['json'])).rejects.toThrow(
      /cannot start "\/nonexistent\/python3": not found/,
    );
  });
});

const available = hasTrainingPackages();

describe.skipIf(!available)(
  `transformers worker on tiny random Qwen2 and Qwen2-VL, CPU (needs torch, transformers, peft in ${testPython}; skips without)`,
  () => {
    let directory = '';
    /** The first LoRA run's epoch-0 validation loss: where an untrained adapter starts. */
    let firstRunStart = Number.NaN;
    const engine = () =>
      new TransformersEngine({ python: [testPython], loggingSteps: 1, precision: 'fp32', loraDropout: 0 });

    beforeAll(async () => {
      directory = await temporaryDirectory('medistill-transformers-');
      makeTinyHfModels(join(directory, 'models'));
      await writeSumExamples(join(directory, 'sums.jsonl'), 40);
      await writeColourExamples(join(directory, 'colours.jsonl'), 24);
    }, 180_000);

    it('trains a LoRA adapter on assistant turns, the loss falls, progress comes as JSON lines', async () => {
      const progress: TrainingProgress[] = [];
      const result = await engine().train(
        {
          baseModel: join(directory, 'models/qwen2-tiny'),
          dataPath: join(directory, 'sums.jsonl'),
          outputPath: join(directory, 'sums-adapter'),
          checkpointDir: join(directory, 'sums-checkpoints'),
          hyperparameters,
        },
        { onProgress: (event) => progress.push(event) },
      );
      const epochs = progress.filter((event) => event.epochEnd);
      expect(epochs.map((event) => event.epoch)).toEqual([0, 1, 2]);
      const losses = epochs.map((event) => event.validationLoss!);
      firstRunStart = losses[0]!;
      expect(losses[2]).toBeLessThan(losses[0]! - 0.3);
      const steps = progress.filter((event) => !event.epochEnd);
      expect(steps.at(-1)).toMatchObject({ step: 8, totalSteps: 8 });
      expect(
        steps.every((event) => event.tokensPerSecond !== undefined && event.trainLoss !== undefined),
      ).toBe(true);
      expect(result.adapterPath).toBe(join(directory, 'sums-adapter'));
      expect(result.modelPath).toBe(join(directory, 'models/qwen2-tiny'));
      expect(result.bestValidationLoss).toBe(Math.min(losses[1]!, losses[2]!));
      const adapterConfig = JSON.parse(
        readFileSync(join(directory, 'sums-adapter/adapter_config.json'), 'utf8'),
      );
      expect(adapterConfig).toMatchObject({ r: 8, lora_alpha: 16 });
      expect(existsSync(join(directory, 'sums-adapter/adapter_model.safetensors'))).toBe(true);
    }, 300_000);

    it('gguf evaluation route: the trained adapter, converted, raises the answer likelihood in llama.cpp', async () => {
      const runtime = new LlamaCppRuntime();
      const base = join(directory, 'models/qwen2-tiny');
      const load = createStudentLoader({
        route: 'gguf',
        baseModel: base,
        resolveModel: () => Promise.reject(new Error('unused')),
        loadGguf: (path, options) => runtime.loadModel(path, { ...options, parallelSequences: 1 }),
        converter: ggufConverter,
        ggufType: 'f32',
        directory: join(directory, 'run'),
      });
      const answerLogprob = async (model: LanguageModel) => {
        const [score] = await model.scoreContinuations!(
          [{ role: 'user', content: 'Add 3 and 4.' }],
          ['The answer is 7.'],
        );
        return score!.logprob / score!.tokenCount;
      };
      const before = await load(base);
      const untrained = await answerLogprob(before);
      await before.close?.();
      const after = await load(join(directory, 'sums-adapter'));
      const trained = await answerLogprob(after);
      await after.close?.();
      expect(trained).toBeGreaterThan(untrained + 0.3);
    }, 180_000);

    it('continues an earlier adapter (MedThink stage 2): training starts where it ended; other rank refused', async () => {
      const progress: TrainingProgress[] = [];
      const job = {
        baseModel: join(directory, 'models/qwen2-tiny'),
        dataPath: join(directory, 'sums.jsonl'),
        outputPath: join(directory, 'sums-adapter-continued'),
        checkpointDir: join(directory, 'sums-continued-checkpoints'),
        initialAdapter: join(directory, 'sums-adapter'),
        hyperparameters: { ...hyperparameters, epochs: 1 },
      };
      await engine().train(job, { onProgress: (event) => progress.push(event) });
      const first = JSON.parse(readFileSync(join(directory, 'sums-checkpoints/medistill/job.json'), 'utf8'));
      expect(first.initialAdapter).toBeUndefined();
      // The epoch-0 baseline of the continued run is near the first run's best, far below its start.
      const baseline = progress.find((event) => event.epochEnd && event.epoch === 0)!.validationLoss!;
      const started = JSON.parse(
        readFileSync(join(directory, 'sums-continued-checkpoints/medistill/job.json'), 'utf8'),
      );
      expect(started.initialAdapter).toBe(join(directory, 'sums-adapter'));
      expect(baseline).toBeLessThan(firstRunStart - 0.3);
      await expect(
        engine().train({
          ...job,
          outputPath: join(directory, 'sums-adapter-other-rank'),
          checkpointDir: join(directory, 'sums-other-rank-checkpoints'),
          hyperparameters: { ...hyperparameters, loraRank: 4, loraAlpha: 8 },
        }),
      ).rejects.toThrow(
        /adapter_config\.json: r 8 and lora_alpha 16 differ from the training's loraRank 4 and loraAlpha 8/,
      );
    }, 300_000);

    it('resumes from the latest checkpoint: a longer run continues where the shorter one stopped', async () => {
      const progress: TrainingProgress[] = [];
      await engine().train(
        {
          baseModel: join(directory, 'models/qwen2-tiny'),
          dataPath: join(directory, 'sums.jsonl'),
          outputPath: join(directory, 'sums-adapter-3'),
          checkpointDir: join(directory, 'sums-checkpoints'),
          hyperparameters: { ...hyperparameters, epochs: 3 },
        },
        { resume: true, onProgress: (event) => progress.push(event) },
      );
      // Epoch 2 ended at step 8 in the first run; only epoch 3 (steps 9-12) runs now, with no epoch-0 baseline.
      expect(progress.filter((event) => !event.epochEnd)[0]?.step).toBe(9);
      expect(progress.filter((event) => event.epochEnd).map((event) => event.epoch)).toEqual([3]);
    }, 300_000);

    it('trains the full model when no LoRA rank is given, and writes a loadable model folder', async () => {
      const { loraRank: _rank, loraAlpha: _alpha, ...full } = hyperparameters;
      const result = await engine().train({
        baseModel: join(directory, 'models/qwen2-tiny'),
        dataPath: join(directory, 'sums.jsonl'),
        outputPath: join(directory, 'sums-full'),
        checkpointDir: join(directory, 'sums-full-checkpoints'),
        hyperparameters: { ...full, epochs: 1, learningRate: 1e-3 },
      });
      expect(result.adapterPath).toBeUndefined();
      expect(result.modelPath).toBe(join(directory, 'sums-full'));
      for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'])
        expect(existsSync(join(directory, 'sums-full', file))).toBe(true);
    }, 300_000);

    it('trains a vision student (Qwen2-VL) on image chats, and its loss falls', async () => {
      const progress: TrainingProgress[] = [];
      await engine().train(
        {
          baseModel: join(directory, 'models/qwen2-vl-tiny'),
          dataPath: join(directory, 'colours.jsonl'),
          outputPath: join(directory, 'colours-adapter'),
          checkpointDir: join(directory, 'colours-checkpoints'),
          hyperparameters: { ...hyperparameters, validationSplit: 0.25 },
        },
        { onProgress: (event) => progress.push(event) },
      );
      const losses = progress.filter((event) => event.epochEnd).map((event) => event.validationLoss!);
      expect(losses).toHaveLength(3);
      expect(losses[2]).toBeLessThan(losses[0]! - 0.3);
      const config = JSON.parse(readFileSync(join(directory, 'colours-adapter/adapter_config.json'), 'utf8'));
      // LoRA goes on the language model only; the vision tower stays frozen.
      expect((config.target_modules as string[]).some((name) => name.includes('visual'))).toBe(false);
    }, 300_000);

    it('stops on a bad example with its file, line and field', async () => {
      const data = join(directory, 'bad.jsonl');
      await writeFile(
        data,
        `${JSON.stringify({
          messages: [
            { role: 'user', content: 'a' },
            { role: 'assistant', content: 'b' },
          ],
        })}\n${JSON.stringify({
          messages: [
            { role: 'user', content: 'a' },
            { role: 'user', content: 'b' },
          ],
        })}\n`,
      );
      await expect(
        engine().train({
          baseModel: join(directory, 'models/qwen2-tiny'),
          dataPath: data,
          outputPath: join(directory, 'bad-adapter'),
          checkpointDir: join(directory, 'bad-checkpoints'),
          hyperparameters,
        }),
      ).rejects.toThrow(/bad\.jsonl:2 \(field "messages"\): no assistant turn/);
    }, 120_000);
  },
);
