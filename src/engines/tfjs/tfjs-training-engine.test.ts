import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, ConfigError, InputError } from '../../errors.js';
import { createModel } from '../../model/create-model.js';
import { readLlamaModel, writeLlamaModel } from '../../model/llama-model-file.js';
import { defaultHyperparameters } from '../../training/default-hyperparameters.js';
import type { TrainingJob, TrainingProgress } from '../../training/training-engine.js';
import { TfjsTrainingEngine } from './tfjs-training-engine.js';

const pairs = [
  ['fever', 'paracetamol'],
  ['cough', 'honey and rest'],
  ['rash', 'a mild steroid cream'],
  ['headache', 'ibuprofen'],
] as const;
const lines = Array.from({ length: 24 }, (_, i) => {
  const [symptom, treatment] = pairs[i % pairs.length]!;
  return JSON.stringify({
    messages: [
      { role: 'user', content: `what treats ${symptom}?` },
      { role: 'assistant', content: treatment },
    ],
  });
});

let directory: string;
let baseModel: string;
let dataPath: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tfjs-engine-'));
  baseModel = join(directory, 'base.gguf');
  dataPath = join(directory, 'data.jsonl');
  await writeLlamaModel(
    baseModel,
    createModel({ corpus: lines, layers: 2, embeddingLength: 64, contextLength: 64 }),
  );
  await writeFile(dataPath, `${lines.join('\n')}\n`);
});

const job = (name: string, overrides: Partial<TrainingJob['hyperparameters']> = {}): TrainingJob => ({
  baseModel,
  dataPath,
  outputPath: join(directory, `${name}.gguf`),
  checkpointDir: join(directory, `${name}-checkpoints`),
  hyperparameters: {
    ...defaultHyperparameters,
    epochs: 3,
    batchSize: 4,
    validationSplit: 0.25,
    ...overrides,
  },
});

describe('TfjsTrainingEngine', () => {
  it('trains in worker threads side by side, reporting progress, and writes loadable models', async () => {
    const engine = new TfjsTrainingEngine();
    const events: TrainingProgress[][] = [[], []];
    const [full, lora] = await Promise.all([
      engine.train(job('full'), { onProgress: (event) => events[0]!.push(event) }),
      engine.train(job('lora', { loraRank: 4 }), { onProgress: (event) => events[1]!.push(event) }),
    ]);
    const summaries = events[0]!.filter((event) => event.epochEnd);
    expect(summaries.map((event) => event.epoch)).toEqual([0, 1, 2, 3]);
    expect(summaries.every((event) => event.validationLoss !== undefined)).toBe(true);
    expect(summaries.at(-1)!.validationLoss!).toBeLessThan(summaries[0]!.validationLoss!);
    const steps = events[0]!.filter((event) => !event.epochEnd);
    expect(steps).toHaveLength(3 * Math.ceil(18 / 4));
    expect(steps.every((event) => event.tokensPerSecond! > 0 && event.etaMs !== undefined)).toBe(true);
    expect(full.history).toEqual(summaries);
    expect(full.bestValidationLoss).toBe(Math.min(...summaries.map((event) => event.validationLoss!)));
    expect((await readLlamaModel(full.modelPath)).config.blockCount).toBe(2);
    expect(lora.modelPath).toBe(baseModel);
    expect(lora.adapterPath).toBe(join(directory, 'lora.gguf'));
    expect(events[1]!.filter((event) => event.epochEnd).at(-1)!.validationLoss).toBeLessThan(
      events[1]![0]!.validationLoss!,
    );
  });

  it('is cancelled at a step boundary and resumes from the latest checkpoint', async () => {
    const engine = new TfjsTrainingEngine();
    const controller = new AbortController();
    const first: TrainingProgress[] = [];
    await expect(
      engine.train(job('resume'), {
        signal: controller.signal,
        onProgress: (event) => {
          first.push(event);
          if (event.epochEnd && event.epoch === 1) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(await readdir(join(directory, 'resume-checkpoints'))).toContain('epoch-0001.checkpoint.gguf');
    const second: TrainingProgress[] = [];
    const result = await engine.train(job('resume'), {
      resume: true,
      onProgress: (event) => second.push(event),
    });
    expect(second[0]!.epoch).toBe(2);
    expect(result.history.map((event) => event.epoch)).toEqual([0, 1, 2, 3]);
    expect(result.history[1]).toEqual(first.find((event) => event.epochEnd && event.epoch === 1));
  });

  it('continues a LoRA adapter from where it ended, and refuses one of other settings', async () => {
    const engine = new TfjsTrainingEngine();
    const first = await engine.train(job('stage1', { loraRank: 4 }));
    const continued: TrainingProgress[] = [];
    const second = await engine.train(
      { ...job('stage2', { loraRank: 4, epochs: 1 }), initialAdapter: first.adapterPath! },
      { onProgress: (event) => continued.push(event) },
    );
    // Same data, split and seed: the continued job's epoch-0 validation loss is stage 1's last one,
    // not the base model's (which a fresh adapter would start at).
    expect(continued[0]!.validationLoss).toBeCloseTo(first.history.at(-1)!.validationLoss!, 5);
    expect(continued[0]!.validationLoss).toBeLessThan(first.history[0]!.validationLoss! - 0.1);
    expect(second.adapterPath).toBe(join(directory, 'stage2.gguf'));
    const restart = {
      ...job('stage2-other', { loraRank: 2, loraAlpha: 8 }),
      initialAdapter: first.adapterPath!,
    };
    await expect(engine.train(restart)).rejects.toThrow(/rank 2/);
    await expect(
      engine.train({ ...job('stage2-full'), initialAdapter: first.adapterPath! }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it('carries typed errors with their location across the worker boundary', async () => {
    const engine = new TfjsTrainingEngine();
    const longPath = join(directory, 'long.jsonl');
    const long = JSON.stringify({
      messages: [
        { role: 'user', content: 'fever '.repeat(80) },
        { role: 'assistant', content: 'x' },
      ],
    });
    await writeFile(longPath, `${lines[0]}\n${long}\n`);
    const error = await engine
      .train({ ...job('long'), dataPath: longPath })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).location).toEqual({ file: longPath, line: 2 });
    await expect(engine.train(job('bad', { batchSize: 0 }))).rejects.toBeInstanceOf(ConfigError);
  });
});
