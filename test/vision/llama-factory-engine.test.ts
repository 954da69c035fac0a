import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ImageLibrary } from '../../src/datasets/images/image-library.js';
import { loadDataset } from '../../src/datasets/load-dataset.js';
import { LlamaFactoryEngine } from '../../src/engines/llama-factory/llama-factory-engine.js';
import type { LlamaFactorySettingsInput } from '../../src/engines/llama-factory/llama-factory-settings.js';
import { llamaFactorySettingsSchema } from '../../src/engines/llama-factory/llama-factory-settings.js';
import { templateForModel } from '../../src/engines/llama-factory/model-template.js';
import { durationMs } from '../../src/engines/llama-factory/trainer-log.js';
import { trainingArguments } from '../../src/engines/llama-factory/training-yaml.js';
import { AbortedError, ConfigError, InputError, TrainingError } from '../../src/errors.js';
import { defaultHyperparameters } from '../../src/training/default-hyperparameters.js';
import type { TrainingJob, TrainingProgress } from '../../src/training/training-engine.js';
import { generateVisualRationales } from '../../src/vision/cot-vl.js';
import { writeCotVlTrainingSet } from '../../src/vision/cot-vl-training-set.js';
import { VisionImages } from '../../src/vision/images.js';
import { brightnessTeacher, writeBrightnessDataset } from './brightness-dataset.js';

const standIn = fileURLToPath(new URL('./fixtures/stand-in-llamafactory-cli.mjs', import.meta.url));

interface StandInReport {
  config: Record<string, unknown>;
  records: number;
  distributed: Record<string, string>;
}

describe('LLaMA-Factory settings and YAML', () => {
  it('picks the chat template from the model family', () => {
    expect(templateForModel('Qwen/Qwen2-VL-2B-Instruct')).toBe('qwen2_vl');
    expect(templateForModel('/models/Qwen2.5-VL-3B-Instruct/')).toBe('qwen2_vl');
    expect(templateForModel('Qwen/Qwen3-VL-2B-Instruct')).toBe('qwen3_vl');
    expect(templateForModel('Qwen/Qwen3-VL-2B-Instruct', { thinking: false })).toBe('qwen3_vl_nothink');
    expect(() => templateForModel('google/medgemma-4b-it')).toThrow(ConfigError);
  });

  it('writes LoRA SFT arguments from the job, with validation and DeepSpeed when asked', () => {
    const job: TrainingJob = {
      baseModel: 'Qwen/Qwen3-VL-2B-Instruct',
      dataPath: '/data',
      outputPath: '/out',
      checkpointDir: '/run',
      hyperparameters: {
        ...defaultHyperparameters,
        loraRank: 16,
        learningRate: 1e-4,
        validationSplit: 0.05,
        maxLength: 4096,
      },
    };
    const settings = llamaFactorySettingsSchema.parse({
      deepspeed: '/cfg/ds_z2.json',
      extraArguments: { flash_attn: 'fa2' },
    });
    const args = trainingArguments({
      job,
      settings,
      datasetDir: '/d',
      datasets: ['a', 'b'],
      outputDir: '/run',
    });
    expect(args).toMatchObject({
      model_name_or_path: 'Qwen/Qwen3-VL-2B-Instruct',
      template: 'qwen3_vl',
      finetuning_type: 'lora',
      lora_rank: 16,
      lora_alpha: 32,
      lora_target: 'all',
      freeze_vision_tower: true,
      dataset: 'a,b',
      cutoff_len: 4096,
      learning_rate: 1e-4,
      val_size: 0.05,
      deepspeed: '/cfg/ds_z2.json',
      bf16: true,
      overwrite_output_dir: true,
      flash_attn: 'fa2',
    });
    expect(args.resume_from_checkpoint).toBeUndefined();
    expect(() => llamaFactorySettingsSchema.parse({ loraRnak: 8 })).toThrow();
    expect(durationMs('1:02:03')).toBe(3_723_000);
    expect(durationMs('2 days, 0:00:01')).toBe(172_801_000);
  });
});

describe('LlamaFactoryEngine against a stand-in llamafactory-cli', () => {
  let root: string;
  let datasetFolder: string;
  let chatFile: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'medistill-llama-factory-'));
    const library = new ImageLibrary();
    try {
      const { items } = await loadDataset(await writeBrightnessDataset(join(root, 'source'), { count: 6 }));
      const rationales = await generateVisualRationales({
        teacher: brightnessTeacher(),
        items,
        images: new VisionImages(library),
      });
      datasetFolder = join(root, 'cot');
      chatFile = join(root, 'cot.jsonl');
      const set = await writeCotVlTrainingSet(rationales.examples, {
        folder: datasetFolder,
        openAiChatFile: chatFile,
      });
      expect(set.check.records).toBe(6);
    } finally {
      await library.close();
    }
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const engine = (settings: LlamaFactorySettingsInput = {}) =>
    new LlamaFactoryEngine({
      command: [process.execPath, standIn],
      pollIntervalMs: 20,
      saveSteps: 2,
      loggingSteps: 1,
      ...settings,
    });
  const job = (name: string, overrides: Partial<TrainingJob> = {}): TrainingJob => ({
    baseModel: 'Qwen/Qwen2-VL-2B-Instruct',
    dataPath: datasetFolder,
    outputPath: join(root, name, 'adapter'),
    checkpointDir: join(root, name, 'run'),
    hyperparameters: { ...defaultHyperparameters, epochs: 2, batchSize: 2, validationSplit: 0, loraRank: 8 },
    ...overrides,
  });
  const report = async (trainingJob: TrainingJob): Promise<StandInReport> =>
    JSON.parse(await readFile(join(trainingJob.checkpointDir, 'stand-in-report.json'), 'utf8'));

  it('trains, reports progress from the trainer log, and publishes the adapter', async () => {
    const trainingJob = job('plain');
    const events: TrainingProgress[] = [];
    const result = await engine().train(trainingJob, { onProgress: (event) => events.push(event) });
    const steps = events.filter((event) => !event.epochEnd).map((event) => event.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.every((event) => event.totalSteps === 6)).toBe(true);
    expect(events[0]?.trainLoss).toBeGreaterThan(events.at(-1)!.trainLoss!);
    expect(events.at(-1)).toMatchObject({ epochEnd: true, step: 6, epoch: 2 });
    expect(events[1]).toMatchObject({ elapsedMs: 2000, etaMs: 4000 });
    expect(result).toMatchObject({
      modelPath: 'Qwen/Qwen2-VL-2B-Instruct',
      adapterPath: trainingJob.outputPath,
    });
    expect(existsSync(join(trainingJob.outputPath, 'adapter_config.json'))).toBe(true);
    expect(existsSync(join(trainingJob.outputPath, 'checkpoint-2'))).toBe(false);
    const { config, records } = await report(trainingJob);
    expect(records).toBe(6);
    expect(config).toMatchObject({
      template: 'qwen2_vl',
      dataset: 'cot_vl',
      dataset_dir: datasetFolder,
      lora_alpha: 16,
    });
    expect(parse(await readFile(join(trainingJob.checkpointDir, 'medistill', 'train.yaml'), 'utf8'))).toEqual(
      config,
    );
  });

  it('resumes from the latest checkpoint after a crash', async () => {
    const trainingJob = job('resume');
    const crash = engine({ environment: { STAND_IN_CRASH_AT_STEP: '3' } }).train(trainingJob);
    await expect(crash).rejects.toThrow(TrainingError);
    await expect(crash).rejects.toThrow(
      `resume continues from ${join(trainingJob.checkpointDir, 'checkpoint-2')}`,
    );
    await expect(crash).rejects.toThrow('CUDA out of memory at step 3 (simulated)');
    const steps: number[] = [];
    await engine().train(trainingJob, { resume: true, onProgress: (event) => steps.push(event.step) });
    expect(steps.slice(0, -1)).toEqual([3, 4, 5, 6]);
    const { config } = await report(trainingJob);
    expect(config.resume_from_checkpoint).toBe(join(trainingJob.checkpointDir, 'checkpoint-2'));
    expect(config.overwrite_output_dir).toBe(false);
  });

  it('refuses data LLaMA-Factory would reject, naming the record, before launching', async () => {
    const broken = join(root, 'broken-data');
    await cp(datasetFolder, broken, { recursive: true });
    const file = join(broken, 'cot_vl.json');
    const records = JSON.parse(await readFile(file, 'utf8')) as { messages: { content: string }[] }[];
    records[2]!.messages[0]!.content = `<image>${records[2]!.messages[0]!.content}`;
    await writeFile(file, `[\n${records.map((record) => JSON.stringify(record)).join(',\n')}\n]\n`);
    const trainingJob = job('broken', { dataPath: broken });
    const attempt = engine().train(trainingJob);
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(`${file}:4 (field "images"): 2 <image> tags but 1 images`);
    expect(existsSync(join(trainingJob.checkpointDir, 'stand-in-report.json'))).toBe(false);
  });

  it('converts chat JSONL with data-URL images and passes multi-node and DeepSpeed settings', async () => {
    const deepspeed = join(root, 'ds_z2.json');
    await writeFile(deepspeed, '{"zero_optimization": {"stage": 2}}');
    const trainingJob = job('multi-node', { dataPath: chatFile, baseModel: '/models/Qwen3-VL-2B-Instruct' });
    await engine({
      deepspeed,
      distributed: {
        nodes: 2,
        nodeRank: 0,
        masterAddress: '127.0.0.2',
        masterPort: 29500,
        processesPerNode: 8,
      },
    }).train(trainingJob);
    const { config, records, distributed } = await report(trainingJob);
    expect(records).toBe(6);
    expect(config).toMatchObject({ template: 'qwen3_vl', dataset: 'medistill_train', deepspeed });
    expect(distributed).toEqual({
      FORCE_TORCHRUN: '1',
      NNODES: '2',
      NODE_RANK: '0',
      MASTER_ADDR: '127.0.0.2',
      MASTER_PORT: '29500',
      NPROC_PER_NODE: '8',
    });
    const staged = JSON.parse(
      await readFile(join(String(config.dataset_dir), 'medistill_train.json'), 'utf8'),
    );
    expect(staged[0].images).toEqual(['images/000001.png']);
    // The chat exporter puts the image before the text; the tag stands where the image part stood.
    expect(staged[0].messages[0].content.match(/<image>/g)).toEqual(['<image>']);
    expect(staged[0].messages[0].content.startsWith('<image>')).toBe(true);
  });

  it('stops the trainer when aborted, and says when the command is missing', async () => {
    const controller = new AbortController();
    const trainingJob = job('aborted');
    const attempt = engine({ environment: { STAND_IN_STEP_DELAY_MS: '150' } }).train(trainingJob, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(attempt).rejects.toThrow(AbortedError);
    const log = await readFile(join(trainingJob.checkpointDir, 'trainer_log.jsonl'), 'utf8');
    await new Promise((done) => setTimeout(done, 400));
    expect(await readFile(join(trainingJob.checkpointDir, 'trainer_log.jsonl'), 'utf8')).toBe(log);
    await expect(
      new LlamaFactoryEngine({ command: [join(root, 'no-such-llamafactory-cli')] }).train(job('missing')),
    ).rejects.toThrow(ConfigError);
  });
});
