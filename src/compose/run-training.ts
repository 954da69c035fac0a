import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { TogetherSettings } from '../engines/hosted/together-settings.js';
import { ConfigError } from '../errors.js';
import type { EndpointGuard } from '../privacy/endpoint-guard.js';
import type {
  TrainingHyperparameters,
  TrainingProgress,
  TrainingResult,
} from '../training/training-engine.js';
import { checkTrainingStudent } from './check-student.js';
import { createTrainingEngine, parseEngineSettings } from './create-training-engine.js';

export interface RunTrainingOptions {
  /** A training engine name (see `trainingEngineNames`). */
  engine: string;
  baseModel: string;
  dataPath: string;
  outputPath: string;
  /** Per-epoch checkpoints (default: `<outputPath>.checkpoints`). */
  checkpointDir?: string;
  hyperparameters: TrainingHyperparameters;
  /** An mmproj GGUF to train with the model (a vision-language student). */
  visionProjector?: string;
  /** Where the trained mmproj goes (default: beside `outputPath`). */
  projectorOutputPath?: string;
  /** Continue from the latest checkpoint when one exists (default true). */
  resume?: boolean;
  signal?: AbortSignal;
  /** Threads for the engine's compute (default: the cores available). */
  threads?: number;
  onProgress?: (progress: TrainingProgress) => void;
  /** One-line notices about how the training runs (e.g. a slower fallback). */
  onNotice?: (message: string) => void;
  /** The engine's own settings (see each engine's schema). */
  engineSettings?: unknown;
  /** A YAML or JSON file holding the engine's settings (`--engine-settings`), read when `engineSettings` is absent. */
  engineSettingsFile?: string;
  /** Checks and pins a hosted engine's API host against a privacy policy, as runs do. */
  guard?: EndpointGuard;
}

/** Read an engine settings file (YAML or JSON) for `medistill train --engine-settings`. */
async function readEngineSettings(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read engine settings ${path}`, { cause: error });
  }
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${path}: not valid YAML or JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The hosted engine's requests go through the guard's pinned fetch, when there is a guard. */
async function hostedFetch(
  engine: string,
  settings: unknown,
  model: string,
  guard: EndpointGuard | undefined,
): Promise<typeof fetch | undefined> {
  if (engine !== 'together' || !guard) return undefined;
  const { baseUrl, keyEnv } = settings as TogetherSettings;
  const endpoint = await guard.check(
    `openai-compatible:${baseUrl}#${model}?key_env=${keyEnv}`,
    'hosted trainer',
  );
  return endpoint.kind === 'network' ? guard.fetchFor(endpoint, `together:${model}`) : undefined;
}

/**
 * What `medistill train` does: pick the engine by name, check that it can train the student
 * (before any work), and run one training job on it.
 */
export async function runTraining(options: RunTrainingOptions): Promise<TrainingResult> {
  const file = options.engineSettingsFile;
  const source = file ?? 'engine settings';
  const settings = parseEngineSettings(
    options.engine,
    options.engineSettings ?? (file ? await readEngineSettings(file) : undefined),
    source,
  );
  const fetch = await hostedFetch(options.engine, settings, options.baseModel, options.guard);
  const engine = createTrainingEngine(options.engine, {
    threads: options.threads,
    settings,
    settingsSource: source,
    ...(fetch ? { fetch } : {}),
  });
  if (options.visionProjector && options.engine !== 'tfjs')
    throw new ConfigError(
      `--mmproj trains a GGUF vision student on the tfjs engine; the ${options.engine} engine takes a Hugging Face vision-language model (e.g. a Qwen2-VL folder) as --model`,
    );
  await checkTrainingStudent(options.engine, options.baseModel, {
    lora: options.hyperparameters.loraRank !== undefined,
  });
  await engine.preflight?.(options.baseModel, options.hyperparameters);
  return engine.train(
    {
      baseModel: options.baseModel,
      dataPath: options.dataPath,
      outputPath: options.outputPath,
      checkpointDir: options.checkpointDir ?? `${options.outputPath}.checkpoints`,
      hyperparameters: options.hyperparameters,
      ...(options.visionProjector ? { visionProjector: options.visionProjector } : {}),
      ...(options.projectorOutputPath ? { projectorOutputPath: options.projectorOutputPath } : {}),
    },
    {
      resume: options.resume ?? true,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.onNotice ? { onNotice: options.onNotice } : {}),
    },
  );
}
