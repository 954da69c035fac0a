import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../../errors.js';
import { readLlamaModel, writeLlamaModel } from '../../model/llama-model-file.js';
import type { TrainingJob, TrainingProgress, TrainingResult } from '../../training/training-engine.js';
import { LlamaTrainer } from './llama-trainer.js';
import { defaultLoraTargets } from './lora.js';
import { writeLoraAdapter } from './lora-adapter-file.js';
import { assertTrainable } from './memory-check.js';
import { splitExamples, type TrainingExample } from './training-example.js';
import { runTrainingLoop, totalSteps } from './training-loop.js';
import { BLOCK_PROJECTIONS } from './transformer-block.js';
import { type ProjectorModel, readProjectorModel, writeProjectorModel } from './vision/projector-file.js';
import { projectorOutputPath } from './vision/projector-output.js';
import type { VisionSettings } from './vision/vision-parts.js';
import { configureWasmBackend } from './wasm-backend.js';

/** Engine settings beyond the shared hyperparameters; plain data, so they cross into a worker. */
export const embeddedTrainingSettingsSchema = z
  .object({
    /** Projections that get LoRA factors when `loraRank` is set (default: all seven per block). */
    loraTargets: z.array(z.enum(BLOCK_PROJECTIONS)).min(1).optional(),
    /** Write the LoRA-merged full model to `outputPath` instead of an adapter. */
    mergeLora: z.boolean().optional(),
    /**
     * Where the matrix products run: `auto` (default) in a native BLAS when one loads, else wasm
     * (with a notice); `wasm` always in wasm.
     */
    kernels: z.enum(['auto', 'wasm']).optional(),
    /** Threads for the native matrix products (default: the cores available). */
    threads: z.number().int().positive().optional(),
    /** Storage type of a written full model (default f32). */
    outputType: z.enum(['f32', 'f16']).optional(),
    adam: z
      .object({
        beta1: z.number().min(0).lt(1),
        beta2: z.number().min(0).lt(1),
        epsilon: z.number().positive(),
      })
      .partial()
      .strict()
      .optional(),
  })
  .strict();
export type EmbeddedTrainingSettings = z.infer<typeof embeddedTrainingSettingsSchema>;

const hyperparametersSchema = z
  .object({
    epochs: z.number().int().positive(),
    learningRate: z.number().positive(),
    batchSize: z.number().int().positive(),
    validationSplit: z.number().min(0).lt(1),
    seed: z.number().int(),
    loraRank: z.number().int().positive().optional(),
    loraAlpha: z.number().positive().optional(),
    warmupRatio: z.number().min(0).max(1),
    weightDecay: z.number().min(0),
    gradientClipNorm: z.number().min(0),
    earlyStoppingPatience: z.number().int().positive().optional(),
    maxLength: z.number().int().positive().optional(),
    visionTraining: z.enum(['frozen', 'projector', 'full', 'lora']).optional(),
  })
  .strict();

export interface TrainingJobRequest {
  job: TrainingJob;
  /** The job's data, already tokenized for its base model (tokenizeTrainingData, on the caller's thread). */
  examples: TrainingExample[];
  settings: EmbeddedTrainingSettings;
  resume: boolean;
}

export interface TrainingJobHooks {
  onProgress?: (progress: TrainingProgress) => void;
  /** One-line notices about how the job runs (native kernels unavailable). */
  onNotice?: (message: string) => void;
  shouldStop?: () => boolean;
}

/** The vision half of the trainer's settings; LoRA rank and alpha default as the text part's do. */
function visionSettings(
  projector: ProjectorModel,
  hyperparameters: {
    loraRank?: number | undefined;
    loraAlpha?: number | undefined;
    visionTraining?: VisionSettings['mode'] | undefined;
  },
): VisionSettings {
  const rank = hyperparameters.loraRank ?? 8;
  const mode = hyperparameters.visionTraining ?? 'full';
  return {
    config: projector.config,
    weights: projector.weights,
    mode,
    ...(mode === 'lora' ? { lora: { rank, alpha: hyperparameters.loraAlpha ?? 2 * rank } } : {}),
  };
}

function parseOrConfigError<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(`${what}: ${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`);
}

/** Hash of everything that decides the trajectory, so a resume cannot mix runs. */
function fingerprint(parts: unknown, examples: readonly TrainingExample[]): string {
  const hash = createHash('sha256').update(JSON.stringify(parts));
  for (const example of examples) {
    hash.update(new Uint8Array(example.tokens.buffer, example.tokens.byteOffset, example.tokens.byteLength));
    hash.update(example.lossMask);
    for (const image of example.images ?? []) {
      hash.update(String(image.position));
      hash.update(new Uint8Array(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength));
    }
  }
  return hash.digest('hex');
}

/**
 * The whole embedded training job: read the base GGUF and the chat data, train (full or LoRA)
 * with per-epoch checkpoints, and write the model or adapter atomically. Runs wherever it is
 * called; the engine calls it inside a worker thread.
 */
export async function runTrainingJob(
  request: TrainingJobRequest,
  hooks: TrainingJobHooks = {},
): Promise<TrainingResult> {
  const { job } = request;
  const hyperparameters = parseOrConfigError(hyperparametersSchema, job.hyperparameters, 'hyperparameters');
  const settings = parseOrConfigError(embeddedTrainingSettingsSchema, request.settings, 'engine settings');
  if (hyperparameters.loraAlpha !== undefined && hyperparameters.loraRank === undefined) {
    throw new ConfigError('loraAlpha is set but loraRank is not; set loraRank to train LoRA');
  }
  await assertTrainable(job.baseModel, hyperparameters.loraRank !== undefined);
  const kernels = await configureWasmBackend({ kernels: settings.kernels, threads: settings.threads });
  if (kernels.kind === 'wasm' && settings.kernels !== 'wasm') {
    hooks.onNotice?.(`training on wasm kernels (one core, slower): ${kernels.reason}`);
  }
  const model = await readLlamaModel(job.baseModel);
  const projector = job.visionProjector ? await readProjectorModel(job.visionProjector) : undefined;
  if (projector && projector.config.projectionLength !== model.config.embeddingLength) {
    throw new ConfigError(
      `${job.visionProjector} projects to width ${projector.config.projectionLength} but ${job.baseModel} has n_embd ${model.config.embeddingLength}`,
    );
  }
  const { examples } = request;
  const { train, validation } = splitExamples(
    examples,
    hyperparameters.validationSplit,
    hyperparameters.seed,
  );
  const steps = totalSteps(train.length, hyperparameters.batchSize, hyperparameters.epochs);
  const lora =
    hyperparameters.loraRank === undefined
      ? undefined
      : {
          rank: hyperparameters.loraRank,
          alpha: hyperparameters.loraAlpha ?? 2 * hyperparameters.loraRank,
          targets: settings.loraTargets ?? defaultLoraTargets,
        };
  const trainer = new LlamaTrainer(model.config, model.weights, {
    learningRate: hyperparameters.learningRate,
    warmupSteps: Math.round(hyperparameters.warmupRatio * steps),
    totalSteps: steps,
    weightDecay: hyperparameters.weightDecay,
    gradientClipNorm: hyperparameters.gradientClipNorm,
    seed: hyperparameters.seed,
    ...(lora ? { lora } : {}),
    ...(settings.adam ? { adam: settings.adam } : {}),
    ...(projector ? { vision: visionSettings(projector, hyperparameters) } : {}),
  });
  model.weights.clear();
  try {
    const baseSize = (await stat(job.baseModel)).size;
    const loop = await runTrainingLoop({
      trainer,
      train,
      validation,
      epochs: hyperparameters.epochs,
      batchSize: hyperparameters.batchSize,
      seed: hyperparameters.seed,
      ...(hyperparameters.earlyStoppingPatience !== undefined
        ? { earlyStoppingPatience: hyperparameters.earlyStoppingPatience }
        : {}),
      checkpointDirectory: job.checkpointDir,
      resume: request.resume,
      fingerprint: fingerprint(
        {
          hyperparameters,
          lora,
          adam: settings.adam,
          baseSize,
          config: model.config,
          ...(projector
            ? { vision: projector.config, projectorSize: (await stat(job.visionProjector!)).size }
            : {}),
        },
        examples,
      ),
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
    });
    const result: TrainingResult = {
      modelPath: job.outputPath,
      history: loop.history,
      stoppedEarly: loop.stoppedEarly,
    };
    if (loop.bestValidationLoss !== undefined) result.bestValidationLoss = loop.bestValidationLoss;
    if (lora && !settings.mergeLora) {
      const adapter = trainer.loraAdapter();
      await writeLoraAdapter(job.outputPath, {
        ...adapter,
        architecture: model.config.architecture ?? 'llama',
        general: { name: `${model.general.name ?? 'model'} LoRA` },
      });
      result.modelPath = job.baseModel;
      result.adapterPath = job.outputPath;
    } else {
      await writeLlamaModel(
        job.outputPath,
        { ...model, weights: trainer.mergedWeights() },
        settings.outputType ?? 'f32',
      );
    }
    if (projector && trainer.vision) {
      if (trainer.vision.mode === 'frozen') result.projectorPath = job.visionProjector!;
      else {
        const path = projectorOutputPath(job);
        await writeProjectorModel(path, { ...projector, weights: trainer.vision.projectorWeights() });
        result.projectorPath = path;
      }
    }
    return result;
  } finally {
    trainer.dispose();
  }
}
