import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AbortedError, ConfigError, InputError, TrainingError } from '../../errors.js';
import { checkHfStudent, type HfStudent } from '../../model/hf-student.js';
import type {
  TrainingEngine,
  TrainingHyperparameters,
  TrainingJob,
  TrainingProgress,
  TrainingResult,
  TrainOptions,
} from '../../training/training-engine.js';
import { writeFileAtomically } from '../../util/atomic-write.js';
import { latestCheckpoint } from '../llama-factory/checkpoints.js';
import { runProcess } from '../llama-factory/run-process.js';
import { launchCommand } from './launch-command.js';
import { checkPythonPackages, requiredModules } from './python-packages.js';
import {
  type TransformersSettings,
  type TransformersSettingsInput,
  transformersSettingsSchema,
} from './transformers-settings.js';
import { parseWorkerLine, progressFromEvent, type WorkerEvent } from './worker-events.js';
import { workerScriptPath } from './worker-script.js';

/**
 * Trains a Hugging Face student (a model folder or hub id) with transformers + peft and the
 * standard Trainer, in a Python worker shipped with the package. LoRA (`loraRank`) or full; the
 * loss is on assistant turns only; text and image-text models. Progress, checkpoints and resume
 * come back as JSON lines on the worker's stdout.
 *
 * Layout: `checkpointDir` is the Trainer's `output_dir` (its `checkpoint-N` folders);
 * `checkpointDir/medistill/job.json` is the job the worker read. The finished model folder (or
 * adapter folder, with LoRA) is renamed into `outputPath`.
 */
export class TransformersEngine implements TrainingEngine {
  readonly id = 'transformers';
  readonly settings: TransformersSettings;

  constructor(settings: TransformersSettingsInput = {}) {
    this.settings = transformersSettingsSchema.parse(settings);
  }

  /** The student, the settings' files and the Python packages, checked with one quick Python call. */
  async preflight(baseModel: string, hyperparameters: TrainingHyperparameters): Promise<void> {
    await this.#check(baseModel, hyperparameters);
  }

  async #check(
    baseModel: string,
    hyperparameters: TrainingHyperparameters,
    signal?: AbortSignal,
  ): Promise<HfStudent> {
    const settings = this.settings;
    for (const [field, file] of [
      ['deepspeed', settings.deepspeed],
      ['accelerateConfig', settings.accelerateConfig],
    ] as const) {
      if (file !== undefined && !existsSync(file))
        throw new ConfigError(`the ${field} file ${file} does not exist`);
    }
    const student = await checkHfStudent(baseModel);
    await checkPythonPackages(
      settings.python,
      requiredModules({
        lora: hyperparameters.loraRank !== undefined,
        vision: student.kind === 'folder' && student.vision,
        deepspeed: settings.deepspeed !== undefined,
      }),
      signal,
    );
    return student;
  }

  async train(job: TrainingJob, options: TrainOptions = {}): Promise<TrainingResult> {
    const settings = this.settings;
    if (!existsSync(job.dataPath)) throw new InputError('training data not found', { file: job.dataPath });
    const student = await this.#check(job.baseModel, job.hyperparameters, options.signal);
    if (job.initialAdapter !== undefined) await checkInitialAdapter(job.initialAdapter, job.hyperparameters);
    const script = workerScriptPath();
    const checkpointDir = resolve(job.checkpointDir);
    const workDir = join(checkpointDir, 'medistill');
    await mkdir(workDir, { recursive: true });
    const jobFile = join(workDir, 'job.json');
    await writeFileAtomically(
      jobFile,
      `${JSON.stringify(
        {
          baseModel: student.kind === 'folder' ? student.path : student.id,
          dataPath: resolve(job.dataPath),
          outputPath: resolve(job.outputPath),
          checkpointDir,
          hyperparameters: job.hyperparameters,
          ...(job.initialAdapter !== undefined ? { initialAdapter: resolve(job.initialAdapter) } : {}),
          settings,
          resume: options.resume ?? false,
        },
        null,
        2,
      )}\n`,
    );
    const startedAt = Date.now();
    const history: TrainingProgress[] = [];
    let totalSteps = 0;
    let done: Extract<WorkerEvent, { event: 'done' }> | undefined;
    let failure: Extract<WorkerEvent, { event: 'error' }> | undefined;
    const onLine = (line: string): void => {
      const event = parseWorkerLine(line);
      if (!event) return;
      if (event.event === 'ready') totalSteps = event.total_steps;
      else if (event.event === 'done') done = event;
      else if (event.event === 'error') failure = event;
      else if (event.event === 'checkpoint')
        options.onNotice?.(`checkpoint at step ${event.step}: ${event.path}`);
      const progress = progressFromEvent(event, startedAt, totalSteps);
      if (!progress) return;
      history.push(progress);
      options.onProgress?.(progress);
    };
    const command = launchCommand(settings, script, jobFile);
    const run = await runProcess(command.argv, {
      cwd: checkpointDir,
      env: { ...process.env, PYTHONUNBUFFERED: '1', ...command.environment },
      intervalMs: 60_000,
      onStdoutLine: onLine,
      notFoundHint:
        'install Python with torch, transformers and peft, or set `python` in the engine settings',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.signal?.aborted)
      throw new AbortedError('training was aborted; resume continues from the latest checkpoint');
    if (failure?.kind === 'input')
      throw new InputError(
        failure.message,
        failure.file === undefined ? undefined : definedLocation(failure.file, failure.line, failure.field),
      );
    if (failure?.kind === 'config') throw new ConfigError(failure.message);
    if (run.exitCode !== 0 || !done) {
      const latest = await latestCheckpoint(checkpointDir);
      throw new TrainingError(
        `the transformers worker failed (${run.signal ?? `exit code ${run.exitCode}`})${failure ? `: ${failure.message}` : ''}${latest ? `; resume continues from ${latest.path}` : ''}\n${run.outputTail.slice(-3000)}`,
      );
    }
    const validationLosses = history.flatMap((event) =>
      event.validationLoss === undefined || event.epoch === 0 ? [] : [event.validationLoss],
    );
    const best =
      done.best_validation_loss ?? (validationLosses.length ? Math.min(...validationLosses) : undefined);
    const result = {
      history,
      stoppedEarly: done.stopped_early ?? false,
      ...(best === undefined ? {} : { bestValidationLoss: best }),
    };
    return done.adapter
      ? { ...result, modelPath: job.baseModel, adapterPath: done.output }
      : { ...result, modelPath: done.output };
  }
}

function definedLocation(file: string, line: number | undefined, field: string | undefined) {
  return { file, ...(line === undefined ? {} : { line }), ...(field === undefined ? {} : { field }) };
}

/**
 * A peft adapter to continue must have the rank and alpha the job trains with: peft would load it
 * at its own settings, and the stage's hyperparameters would silently not apply.
 */
async function checkInitialAdapter(adapter: string, hyperparameters: TrainingHyperparameters): Promise<void> {
  const configPath = join(adapter, 'adapter_config.json');
  if (hyperparameters.loraRank === undefined)
    throw new ConfigError(`${adapter}: an adapter can only be continued by a LoRA training (set loraRank)`);
  let config: { r?: unknown; lora_alpha?: unknown };
  try {
    config = JSON.parse(await readFile(configPath, 'utf8')) as typeof config;
  } catch (error) {
    throw new InputError(
      'the adapter to continue has no readable adapter_config.json',
      { file: configPath },
      { cause: error },
    );
  }
  const alpha = hyperparameters.loraAlpha ?? 2 * hyperparameters.loraRank;
  if (config.r !== hyperparameters.loraRank || config.lora_alpha !== alpha)
    throw new ConfigError(
      `${configPath}: r ${String(config.r)} and lora_alpha ${String(config.lora_alpha)} differ from the training's loraRank ${hyperparameters.loraRank} and loraAlpha ${alpha}; a continued adapter keeps its rank and alpha`,
    );
}
