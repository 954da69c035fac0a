import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { AbortedError, ConfigError, InputError, TrainingError } from '../../errors.js';
import { sleep } from '../../models/middleware/retry-with-backoff.js';
import type {
  TrainingEngine,
  TrainingJob,
  TrainingProgress,
  TrainingResult,
  TrainOptions,
} from '../../training/training-engine.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import { seededRandom } from '../../util/seeded-random.js';
import { writeHostedModel } from './hosted-model.js';
import {
  type FineTune,
  type FineTuneEvent,
  fineTuneEventsSchema,
  fineTuneSchema,
  isFinished,
} from './together-api.js';
import { TogetherClient } from './together-client.js';
import {
  type TogetherSettings,
  type TogetherSettingsInput,
  togetherSettingsSchema,
} from './together-settings.js';

export interface TogetherEngineOptions {
  fetch?: typeof fetch;
  environment?: NodeJS.ProcessEnv;
}

/** What is kept in `checkpointDir` so a rerun follows the same job instead of paying for a second. */
interface JobRecord {
  jobId: string;
  baseUrl: string;
  model: string;
}

/**
 * LoRA (or full) fine-tuning on Together AI: uploads the training file (and a held-out
 * validation file), starts the job, follows its status and events as progress, and writes a
 * hosted-model record at `outputPath` whose model spec evaluates the result through Together's
 * OpenAI-compatible endpoint. The key comes from the environment only. An abort stops following
 * the job, not the job: a rerun with resume re-attaches to it.
 *
 * Contract-tested only, against a loopback server that follows the published API.
 */
export class TogetherEngine implements TrainingEngine {
  readonly id = 'together';
  readonly settings: TogetherSettings;
  readonly #fetch: typeof fetch;
  readonly #environment: NodeJS.ProcessEnv;

  constructor(settings: TogetherSettingsInput = {}, options: TogetherEngineOptions = {}) {
    this.settings = togetherSettingsSchema.parse(settings);
    this.#fetch = options.fetch ?? fetch;
    this.#environment = options.environment ?? process.env;
  }

  async train(job: TrainingJob, options: TrainOptions = {}): Promise<TrainingResult> {
    const key = this.#environment[this.settings.keyEnv];
    if (!key)
      throw new ConfigError(
        `the together engine needs an API key in the environment variable ${this.settings.keyEnv}`,
      );
    if (!existsSync(job.dataPath)) throw new InputError('training data not found', { file: job.dataPath });
    const client = new TogetherClient(this.settings.baseUrl, key, this.#fetch, options.signal);
    const recordPath = join(resolve(job.checkpointDir), 'together-job.json');
    await mkdir(resolve(job.checkpointDir), { recursive: true });
    let jobId = options.resume
      ? await previousJob(recordPath, this.settings.baseUrl, job.baseModel)
      : undefined;
    if (jobId) options.onNotice?.(`following the Together job ${jobId} started earlier`);
    else {
      jobId = await this.#start(client, job, recordPath);
      options.onNotice?.(`started the Together job ${jobId}`);
    }
    const finished = await this.#follow(client, jobId, job, options);
    if (finished.job.status !== 'completed' || !finished.job.model_output_name) {
      const last = finished.events.findLast((event) => event.message)?.message;
      throw new TrainingError(
        `the Together job ${jobId} ended with status ${finished.job.status}${last ? `: ${last}` : ''}`,
      );
    }
    await writeHostedModel(job.outputPath, {
      kind: 'hosted-model',
      provider: 'together',
      jobId,
      model: finished.job.model_output_name,
      spec: `openai-compatible:${this.settings.baseUrl}#${finished.job.model_output_name}?key_env=${this.settings.keyEnv}`,
      adapter: job.hyperparameters.loraRank !== undefined,
    });
    return { modelPath: resolve(job.outputPath), history: finished.history, stoppedEarly: false };
  }

  async #start(client: TogetherClient, job: TrainingJob, recordPath: string): Promise<string> {
    const hyper = job.hyperparameters;
    const { training, validation } = await splitData(job.dataPath, hyper.validationSplit, hyper.seed);
    const name = basename(job.dataPath).replace(/\.jsonl$/, '');
    const trainingFile = await client.upload(`${name}.train.jsonl`, training);
    const validationFile = validation
      ? await client.upload(`${name}.validation.jsonl`, validation)
      : undefined;
    // Not retried after a lost answer: a second POST could start (and bill) a second job.
    const created = await client.json(
      'POST',
      '/fine-tunes',
      fineTuneSchema,
      {
        model: job.baseModel,
        training_file: trainingFile,
        ...(validationFile ? { validation_file: validationFile, n_evals: hyper.epochs } : {}),
        n_epochs: hyper.epochs,
        n_checkpoints: Math.min(this.settings.checkpoints, hyper.epochs),
        learning_rate: hyper.learningRate,
        batch_size: hyper.batchSize,
        warmup_ratio: hyper.warmupRatio,
        weight_decay: hyper.weightDecay,
        max_grad_norm: hyper.gradientClipNorm,
        // The loss on assistant turns only, as every medistill engine trains.
        train_on_inputs: false,
        ...(this.settings.suffix ? { suffix: this.settings.suffix } : {}),
        training_type:
          hyper.loraRank === undefined
            ? { type: 'Full' }
            : {
                type: 'Lora',
                lora_r: hyper.loraRank,
                lora_alpha: hyper.loraAlpha ?? hyper.loraRank * 2,
                lora_trainable_modules: this.settings.loraTrainableModules,
                ...(this.settings.loraDropout === undefined
                  ? {}
                  : { lora_dropout: this.settings.loraDropout }),
              },
      },
      { idempotent: false },
    );
    const record: JobRecord = { jobId: created.id, baseUrl: this.settings.baseUrl, model: job.baseModel };
    await writeFileAtomically(recordPath, `${JSON.stringify(record)}\n`);
    return created.id;
  }

  async #follow(
    client: TogetherClient,
    jobId: string,
    job: TrainingJob,
    options: TrainOptions,
  ): Promise<{ job: FineTune; events: FineTuneEvent[]; history: TrainingProgress[] }> {
    const startedAt = Date.now();
    const history: TrainingProgress[] = [];
    let seen = 0;
    let events: FineTuneEvent[] = [];
    let completedEpochs = 0;
    for (;;) {
      const state = await client.json('GET', `/fine-tunes/${encodeURIComponent(jobId)}`, fineTuneSchema);
      events = (
        await client.json('GET', `/fine-tunes/${encodeURIComponent(jobId)}/events`, fineTuneEventsSchema)
      ).data;
      for (const event of events.slice(seen)) {
        const progress = progressFromEvent(event, completedEpochs, startedAt, job.hyperparameters.epochs);
        if (!progress) continue;
        if (progress.epochEnd) completedEpochs = progress.epoch;
        history.push(progress);
        options.onProgress?.(progress);
      }
      seen = Math.max(seen, events.length);
      if (isFinished(state.status)) return { job: state, events, history };
      if (Date.now() - startedAt > this.settings.maxWaitMs)
        throw new TrainingError(
          `stopped following the Together job ${jobId} after ${Math.round(this.settings.maxWaitMs / 60_000)} minutes (status ${state.status}); it keeps running, and a rerun follows it again`,
        );
      try {
        await sleep(this.settings.pollIntervalMs, options.signal);
      } catch {
        throw new AbortedError(
          `stopped following the Together job ${jobId}; it keeps running, and a rerun follows it again`,
        );
      }
    }
  }
}

/** A fine-tune event as progress: step events in-epoch, `epoch_complete` as the epoch's end. */
function progressFromEvent(
  event: FineTuneEvent,
  completedEpochs: number,
  startedAt: number,
  epochs: number,
): TrainingProgress | undefined {
  const loss = /\bloss\b[^0-9-]*(-?\d+(?:\.\d+)?)/i.exec(event.message ?? '')?.[1];
  const validation = /\b(?:eval|validation)[ _]loss\b[^0-9-]*(-?\d+(?:\.\d+)?)/i.exec(
    event.message ?? '',
  )?.[1];
  const epochEnd = event.type === 'epoch_complete';
  if (!epochEnd && event.step == null && loss === undefined) return undefined;
  return {
    epoch: Math.min(epochs, completedEpochs + 1),
    step: event.step ?? 0,
    totalSteps: event.total_steps ?? 0,
    ...(loss !== undefined && validation === undefined ? { trainLoss: Number(loss) } : {}),
    ...(validation !== undefined ? { validationLoss: Number(validation) } : {}),
    elapsedMs: Date.now() - startedAt,
    epochEnd,
  };
}

async function previousJob(path: string, baseUrl: string, model: string): Promise<string | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    const record = JSON.parse(await readFile(path, 'utf8')) as Partial<JobRecord>;
    return record.baseUrl === baseUrl && record.model === model && typeof record.jobId === 'string'
      ? record.jobId
      : undefined;
  } catch {
    return undefined;
  }
}

/** Hold out a seeded share of the lines as the validation file (none when the split is 0). */
async function splitData(
  path: string,
  share: number,
  seed: number,
): Promise<{ training: string; validation?: string }> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim());
  if (lines.length === 0) throw new InputError('no training examples', { file: path });
  const held = Math.min(lines.length - 1, Math.round(lines.length * share));
  if (held <= 0) return { training: `${lines.join('\n')}\n` };
  const random = seededRandom(seed);
  const order = lines.map((_line, index) => ({ index, key: random() })).sort((a, b) => a.key - b.key);
  const heldOut = new Set(order.slice(0, held).map((entry) => entry.index));
  const pick = (keep: boolean) =>
    `${lines.filter((_line, index) => heldOut.has(index) === keep).join('\n')}\n`;
  return { training: pick(false), validation: pick(true) };
}
