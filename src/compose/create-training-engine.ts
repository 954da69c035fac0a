import { availableParallelism } from 'node:os';
import type { z } from 'zod';
import { TogetherEngine } from '../engines/hosted/together-engine.js';
import { togetherSettingsSchema } from '../engines/hosted/together-settings.js';
import { LlamaFactoryEngine } from '../engines/llama-factory/llama-factory-engine.js';
import { llamaFactorySettingsSchema } from '../engines/llama-factory/llama-factory-settings.js';
import { TfjsTrainingEngine } from '../engines/tfjs/tfjs-training-engine.js';
import { TransformersEngine } from '../engines/transformers/transformers-engine.js';
import { transformersSettingsSchema } from '../engines/transformers/transformers-settings.js';
import { ConfigError } from '../errors.js';
import type { TrainingEngine } from '../training/training-engine.js';

/**
 * The engines a run or `medistill train` can name: the embedded trainer, two GPU engines that
 * train Hugging Face students, and a hosted fine-tuning service.
 */
export const trainingEngineNames = ['tfjs', 'transformers', 'llamafactory', 'together'] as const;
export type TrainingEngineName = (typeof trainingEngineNames)[number];

/** Engines whose students are Hugging Face models (folders or hub ids), not GGUF files. */
export function trainsHfStudents(name: string): boolean {
  return name === 'transformers' || name === 'llamafactory' || name === 'together';
}

/** Each engine's own settings (`student.engineSettings` in a run config), strict. */
export const trainingEngineSettingsSchemas: Record<TrainingEngineName, z.ZodType | undefined> = {
  tfjs: undefined,
  transformers: transformersSettingsSchema,
  llamafactory: llamaFactorySettingsSchema,
  together: togetherSettingsSchema,
};

/** Engine options every engine may honour. */
export interface TrainingEngineOptions {
  /** Threads for one training's compute (default: the cores available). */
  threads?: number | undefined;
  /** The engine's own settings, checked against its schema. */
  settings?: unknown;
  /** Where the settings came from, for error messages (e.g. `run.yaml: student.engineSettings`). */
  settingsSource?: string;
  /** The fetch a hosted engine sends its requests through (a privacy guard's, in runs). */
  fetch?: typeof fetch;
  environment?: NodeJS.ProcessEnv;
}

/**
 * Threads for each of `parallel` trainings running at once: the cores shared out, at least one.
 * Native BLAS threads that outnumber the cores spin against each other and run slower, not faster.
 */
export function threadsPerTraining(parallel: number): number {
  return Math.max(1, Math.floor(availableParallelism() / Math.max(1, parallel)));
}

/** Check an engine's settings; the error names the source and the field. */
export function parseEngineSettings(name: string, settings: unknown, source = 'engine settings'): unknown {
  const schema = trainingEngineSettingsSchemas[engineName(name)];
  if (!schema) {
    if (settings !== undefined && Object.keys(settings as object).length > 0)
      throw new ConfigError(`${source}: the ${name} engine takes no settings`);
    return undefined;
  }
  const parsed = schema.safeParse(settings ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.length ? `.${issue.path.join('.')}` : '';
    throw new ConfigError(`${source}${field}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function engineName(name: string): TrainingEngineName {
  if ((trainingEngineNames as readonly string[]).includes(name)) return name as TrainingEngineName;
  throw new ConfigError(`unknown training engine "${name}" (known: ${trainingEngineNames.join(', ')})`);
}

export function createTrainingEngine(name: string, options: TrainingEngineOptions = {}): TrainingEngine {
  const settings = parseEngineSettings(name, options.settings, options.settingsSource);
  switch (engineName(name)) {
    case 'tfjs':
      return new TfjsTrainingEngine(options.threads === undefined ? {} : { threads: options.threads });
    case 'transformers':
      return new TransformersEngine(settings as z.input<typeof transformersSettingsSchema>);
    case 'llamafactory':
      return new LlamaFactoryEngine(settings as z.input<typeof llamaFactorySettingsSchema>);
    case 'together':
      return new TogetherEngine(settings as z.input<typeof togetherSettingsSchema>, {
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.environment ? { environment: options.environment } : {}),
      });
  }
}
