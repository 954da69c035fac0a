import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkTrainingStudent } from '../../compose/check-student.js';
import { createTrainingEngine, threadsPerTraining } from '../../compose/create-training-engine.js';
import { ggufConverter } from '../../compose/gguf-converter.js';
import {
  createStudentLoader,
  type EvaluationRoute,
  type GgufConverter,
} from '../../compose/student-loader.js';
import { togetherSettingsSchema } from '../../engines/hosted/together-settings.js';
import type { LlamaCppRuntime } from '../../engines/llama-cpp/llama-cpp-runtime.js';
import type { LanguageModel } from '../../models/language-model.js';
import type { EndpointGuard } from '../../privacy/endpoint-guard.js';
import type { TrainingEngine } from '../../training/training-engine.js';
import { definedOnly } from '../../util/defined-only.js';
import type { RunConfig } from './run-config.js';

/** The server specs a run's student side will call, for the privacy check before any data is read. */
export function studentEndpoints(config: RunConfig): { role: string; spec: string | undefined }[] {
  const student = config.student;
  return [
    {
      role: 'student server',
      spec: student.evaluation?.route === 'server' ? student.evaluation.server : undefined,
    },
    { role: 'hosted trainer', spec: hostedTrainerSpec(config) },
  ];
}

/** Together's API as a model spec (the engine's base URL, the student as model) for the guard. */
function hostedTrainerSpec(config: RunConfig): string | undefined {
  if (config.student.engine !== 'together') return undefined;
  const settings = togetherSettingsSchema.parse(config.student.engineSettings ?? {});
  return `openai-compatible:${settings.baseUrl}#${config.student.model}?key_env=${settings.keyEnv}`;
}

export interface StudentSideOptions {
  config: RunConfig;
  directory: string;
  /** The checked starting student (GGUF path, model folder or hub id). */
  baseModel: string;
  runtime: LlamaCppRuntime;
  guard: EndpointGuard;
  resolveModel: (spec: string) => Promise<LanguageModel>;
  /** The `gguf` route's conversions (default: medistill's own converter). */
  converter?: GgufConverter;
}

/** The run's training engine and its students' loader, by the config's engine and evaluation route. */
export async function studentSide(
  options: StudentSideOptions,
): Promise<{ engine: TrainingEngine; load: (path: string, adapterPath?: string) => Promise<LanguageModel> }> {
  const { config } = options;
  const student = config.student;
  const hosted = hostedTrainerSpec(config);
  const hostedEndpoint = hosted ? await options.guard.check(hosted, 'hosted trainer') : undefined;
  const engine = createTrainingEngine(student.engine, {
    threads: threadsPerTraining(config.parallelStrategies),
    settings: student.engineSettings,
    ...(hostedEndpoint?.kind === 'network'
      ? { fetch: options.guard.fetchFor(hostedEndpoint, `${student.engine}:${student.model}`) }
      : {}),
  });
  await engine.preflight?.(options.baseModel, definedOnly(student.training));
  const evaluation = student.evaluation;
  const route = evaluationRouteOf(config);
  // A hosted student's base model is served where it was trained.
  const server = evaluation?.server ?? hosted;
  const serverEndpoint =
    route === 'server' && server && evaluation?.adapterLoading !== 'none'
      ? await options.guard.check(server, 'student server')
      : undefined;
  const load = createStudentLoader({
    route,
    baseModel: options.baseModel,
    resolveModel: options.resolveModel,
    loadGguf: (path, gguf = {}) =>
      options.runtime.loadModel(path, { ...gguf, parallelSequences: Math.min(8, config.concurrency) }),
    directory: options.directory,
    ...(server ? { server } : {}),
    ...(evaluation ? { adapterLoading: evaluation.adapterLoading, ggufType: evaluation.ggufType } : {}),
    ...(serverEndpoint?.kind === 'network'
      ? { fetch: options.guard.fetchFor(serverEndpoint, 'student-adapter-loading') }
      : {}),
    converter: options.converter ?? ggufConverter,
  });
  return { engine, load };
}

/** The route a run evaluates its students by: the config's, else the engine's natural one. */
export function evaluationRouteOf(config: RunConfig): EvaluationRoute {
  const { engine, evaluation } = config.student;
  return evaluation?.route ?? (engine === 'together' ? 'server' : engine === 'tfjs' ? 'llama-cpp' : 'gguf');
}

/** One sentence for the report: which engine trained the students and how they were evaluated. */
export function studentNote(config: RunConfig): string {
  const route = evaluationRouteOf(config);
  const how = {
    'llama-cpp': 'in llama.cpp',
    gguf: 'converted to GGUF, in llama.cpp',
    server: `on the server ${config.student.evaluation?.server ?? 'where they are hosted'}`,
  }[route];
  return `Students trained by the ${config.student.engine} engine, evaluated ${how} (route ${route}).`;
}

/** The configured starting student, checked for the engine before any work (`new` is made elsewhere). */
export async function checkedStudent(config: RunConfig): Promise<string> {
  const student = config.student;
  await checkTrainingStudent(student.engine, student.model, {
    lora: student.training.loraRank !== undefined,
  });
  return existsSync(student.model) ? resolve(student.model) : student.model;
}
