import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { AbortedError, ConfigError, TrainingError } from '../../errors.js';
import type {
  TrainingEngine,
  TrainingJob,
  TrainingProgress,
  TrainingResult,
  TrainOptions,
} from '../../training/training-engine.js';
import { temporaryPathFor, writeFileAtomically } from '../../util/atomic-write.js';
import { findAdapter, isAdapterFolder, latestCheckpoint } from './checkpoints.js';
import {
  distributedEnvironment,
  type LlamaFactorySettings,
  type LlamaFactorySettingsInput,
  llamaFactorySettingsSchema,
} from './llama-factory-settings.js';
import { runProcess } from './run-process.js';
import { stageDataset } from './stage-dataset.js';
import { progressFromLogLine, TrainerLogFollower } from './trainer-log.js';
import { trainingYaml } from './training-yaml.js';

/**
 * Fine-tunes a vision-language student (Qwen2-VL, Qwen2.5-VL, Qwen3-VL) with LLaMA-Factory on a
 * GPU machine: stages and checks the data, writes the training YAML into the checkpoint folder,
 * runs `llamafactory-cli train`, reports progress from its trainer log, resumes from the latest
 * `checkpoint-N`, and copies the finished LoRA adapter to the job's output path.
 *
 * Layout: `checkpointDir` is LLaMA-Factory's `output_dir`; `checkpointDir/medistill/` holds the
 * YAML and any converted data.
 */
export class LlamaFactoryEngine implements TrainingEngine {
  readonly id = 'llama-factory';
  readonly settings: LlamaFactorySettings;

  constructor(settings: LlamaFactorySettingsInput = {}) {
    this.settings = llamaFactorySettingsSchema.parse(settings);
  }

  async train(job: TrainingJob, options: TrainOptions = {}): Promise<TrainingResult> {
    const settings = this.settings;
    // Starting from a GGUF adapter would need a conversion to PEFT first; refuse rather than start over.
    if (job.initialAdapter !== undefined)
      throw new ConfigError('the LLaMA-Factory engine cannot continue a LoRA adapter yet (initialAdapter)');
    if (settings.deepspeed !== undefined && !existsSync(settings.deepspeed))
      throw new ConfigError(`the DeepSpeed config ${settings.deepspeed} does not exist`);
    const outputDir = resolve(job.checkpointDir);
    const workDir = join(outputDir, 'medistill');
    await mkdir(workDir, { recursive: true });
    const staged = await stageDataset(resolve(job.dataPath), join(workDir, 'dataset'));
    const checkpoint = options.resume ? await latestCheckpoint(outputDir) : undefined;
    const yamlPath = join(workDir, 'train.yaml');
    await writeFileAtomically(
      yamlPath,
      trainingYaml({
        job,
        settings,
        datasetDir: staged.datasetDir,
        datasets: staged.datasets,
        outputDir,
        ...(checkpoint ? { resumeFrom: checkpoint.path } : {}),
      }),
    );
    const startedAt = Date.now();
    const history: TrainingProgress[] = [];
    const log = await TrainerLogFollower.at(join(outputDir, 'trainer_log.jsonl'));
    const readLog = async (): Promise<void> => {
      for (const line of await log.poll()) {
        const progress = progressFromLogLine(line, startedAt);
        if (!progress) continue;
        history.push(progress);
        options.onProgress?.(progress);
      }
    };
    const run = await runProcess([...settings.command, 'train', yamlPath], {
      cwd: outputDir,
      env: { ...process.env, ...distributedEnvironment(settings.distributed), ...settings.environment },
      intervalMs: settings.pollIntervalMs,
      onTick: readLog,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.signal?.aborted)
      throw new AbortedError('training was aborted; resume continues from the latest checkpoint');
    if (run.exitCode !== 0) {
      const latest = await latestCheckpoint(outputDir);
      throw new TrainingError(
        `llamafactory-cli train ${yamlPath} failed (${run.signal ?? `exit code ${run.exitCode}`})${latest ? `; resume continues from ${latest.path}` : ''}:\n${run.outputTail.slice(-3000)}`,
      );
    }
    const last = history.at(-1);
    if (last) {
      const summary: TrainingProgress = {
        ...last,
        epoch: job.hyperparameters.epochs,
        epochEnd: true,
        elapsedMs: Date.now() - startedAt,
      };
      history.push(summary);
      options.onProgress?.(summary);
    }
    const validationLosses = history.flatMap((event) =>
      event.validationLoss === undefined ? [] : [event.validationLoss],
    );
    const result = {
      history,
      stoppedEarly: false,
      ...(validationLosses.length > 0 ? { bestValidationLoss: Math.min(...validationLosses) } : {}),
    };
    if (job.hyperparameters.loraRank === undefined) {
      await publishFolder(outputDir, job.outputPath, ['medistill']);
      return { ...result, modelPath: resolve(job.outputPath) };
    }
    const adapter = await findAdapter(outputDir);
    if (!adapter) throw new TrainingError(`training finished but no LoRA adapter was found in ${outputDir}`);
    await publishFolder(adapter, job.outputPath, ['medistill']);
    return { ...result, modelPath: job.baseModel, adapterPath: resolve(job.outputPath) };
  }
}

/**
 * Copy a finished model or adapter folder to where the job wants it, atomically: into a
 * temporary sibling, then renamed over any older copy. Checkpoints are left behind.
 */
async function publishFolder(source: string, target: string, skip: string[]): Promise<void> {
  const from = resolve(source);
  const to = resolve(target);
  if (from === to) return;
  const temporary = temporaryPathFor(to);
  // A target inside the source (output under the checkpoint folder) must not copy into itself.
  for (const path of [to, temporary]) {
    const inside = relative(from, path);
    if (!inside.startsWith('..') && !isAbsolute(inside)) skip.push(inside.split(/[\\/]/)[0]!);
  }
  try {
    await cp(from, temporary, {
      recursive: true,
      filter: (path) => {
        const relative = path.slice(from.length + 1).split(/[\\/]/)[0] ?? '';
        return !skip.includes(relative) && !/^checkpoint-\d+$/.test(relative);
      },
    });
    if (!isAdapterFolder(temporary) && !existsSync(join(temporary, 'config.json')))
      throw new TrainingError(`${from} holds neither a LoRA adapter nor a model`);
    await rm(to, { recursive: true, force: true });
    await rename(temporary, to);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
}
