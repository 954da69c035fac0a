import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildBenchmark, KnowledgeTeacher } from '../../benchmark/index.js';
import { threadsPerTraining, trainsHfStudents } from '../../compose/create-training-engine.js';
import { createModelResolver } from '../../compose/resolve-model.js';
import { wrapTeacherModel } from '../../compose/teacher-model-stack.js';
import type { DatasetFormat } from '../../datasets/dataset-format.js';
import type { Item } from '../../datasets/item.js';
import { loadDataset } from '../../datasets/load-dataset.js';
import { splitItems } from '../../datasets/split-items.js';
import { LlamaCppRuntime } from '../../engines/llama-cpp/llama-cpp-runtime.js';
import { ConfigError } from '../../errors.js';
import { createModelFile } from '../../model/create-model.js';
import type { LanguageModel } from '../../models/language-model.js';
import { EndpointGuard } from '../../privacy/endpoint-guard.js';
import { checkRunEndpoints, screenRunItems } from '../../privacy/run-privacy.js';
import type { RunStore } from '../../store/run-store.js';
import { definedOnly } from '../../util/defined-only.js';
import { strategyNamed } from '../strategies/registry.js';
import type { StudentSettings } from '../strategy-context.js';
import { KnowledgeBaseTeacher } from '../teacher/knowledge-base-teacher.js';
import { LlmTeacher } from '../teacher/llm-teacher.js';
import { resolveTemplates } from '../teacher/prompt-templates.js';
import type { Teacher } from '../teacher/teacher.js';
import { checkTeacherTakesImages, VisionLlmTeacher } from '../teacher/vision-llm-teacher.js';
import type { RunConfig } from './run-config.js';
import type { DistillationSetup } from './run-distillation.js';
import {
  checkVisionFit,
  imagingRunData,
  type VisionStudentStarter,
  visionSettings,
  visionStudentFiles,
  visionStudentLoader,
} from './setup-vision.js';
import { studentCorpus } from './student-corpus.js';
import { checkedStudent, studentEndpoints, studentSide } from './student-setup.js';

interface RunData {
  train: Item[];
  test: Item[];
  teacher?: Teacher;
  /** Texts a new student's tokenizer also learns (the imaging knowledge base's lines). */
  corpus?: string[];
}

async function loadItems(path: string, config: RunConfig): Promise<Item[]> {
  if (!existsSync(path)) throw new ConfigError(`dataset not found: ${path}`);
  const loaded = await loadDataset(path, {
    ...(config.data.format ? { format: config.data.format as DatasetFormat } : {}),
    ...(config.data.imageRoot ? { imageRoot: resolve(config.data.imageRoot) } : {}),
  });
  if (loaded.items.length === 0)
    throw new ConfigError(`dataset ${path} has no usable items (${loaded.problems.length} problems)`);
  return loaded.items;
}

async function runData(config: RunConfig, directory: string): Promise<RunData> {
  if (typeof config.data.train !== 'string' && 'imagingBenchmark' in config.data.train)
    return imagingRunData(config.data.train.imagingBenchmark, directory);
  if (typeof config.data.train !== 'string') {
    const benchmark = buildBenchmark(config.data.train.benchmark);
    return {
      train: benchmark.train,
      test: benchmark.test,
      teacher: new KnowledgeBaseTeacher(new KnowledgeTeacher(benchmark.knowledgeBase)),
    };
  }
  const train = await loadItems(config.data.train, config);
  if (config.data.test) return { train, test: await loadItems(config.data.test, config) };
  const split = splitItems(train, { test: 0.2, seed: 1 });
  return { train: split.train, test: split.test };
}

/**
 * Everything a run needs, checked before any work starts: the data loads, the strategies exist,
 * the student is a model, the teacher answers (a dead server fails here, not an hour in).
 */
export async function setupRun(
  config: RunConfig,
  directory: string,
  store: RunStore,
  file = 'run config',
  startVisionStudent?: VisionStudentStarter,
): Promise<Omit<DistillationSetup, 'onEvent' | 'signal'> & { release(): Promise<void> }> {
  for (const name of config.strategies) strategyNamed(name);
  // The policy is checked before any data is read; the guard then pins and logs every request.
  const guard = new EndpointGuard(config.privacy, { egress: store.egress });
  const remote = await checkRunEndpoints(guard, [
    { role: 'teacher', spec: config.teacher },
    { role: 'judge', spec: config.judge },
    ...studentEndpoints(config),
  ]);
  // The student is checked for its engine before data is read or the teacher is called.
  const configuredStudent = config.student.model === 'new' ? undefined : await checkedStudent(config);
  const data = await runData(config, directory);
  const { train, test } = await screenRunItems({
    train: config.data.limitTrain ? data.train.slice(0, config.data.limitTrain) : data.train,
    test: config.data.limitTest ? data.test.slice(0, config.data.limitTest) : data.test,
    policy: config.privacy,
    remote,
    directory,
  });
  // A text-only student with image data, or a vision strategy without images, stops here.
  const vision = checkVisionFit(
    file,
    {
      projector: config.student.projector,
      strategies: config.strategies,
      ...(trainsHfStudents(config.student.engine) ? { hfStudent: config.student.model } : {}),
    },
    train,
  )
    ? visionSettings(config.images)
    : undefined;
  const resolveModel = createModelResolver({ guard });
  let teacher: Teacher;
  if (config.teacher === 'knowledge-base') {
    if (!data.teacher)
      throw new ConfigError(
        'the knowledge-base teacher works only with the benchmark data (data.train: {benchmark: {...}})',
      );
    teacher = data.teacher;
  } else {
    const wrapModel = (raw: LanguageModel) =>
      wrapTeacherModel(raw, { store, ...(config.budget ? { budget: definedOnly(config.budget) } : {}) });
    const wrap = async (spec: string) => wrapModel(await resolveModel(spec));
    const raw = await resolveModel(config.teacher);
    // With image data the one start-up request carries an image, sent once (no retries): a
    // teacher that cannot see is refused here, not an hour into the run.
    if (vision) await checkTeacherTakesImages(raw, config.teacher);
    const model = await wrapModel(raw);
    if (!vision)
      await model.generate({ messages: [{ role: 'user', content: 'Reply with OK.' }], maxTokens: 2 });
    teacher = new LlmTeacher({
      model,
      ...(config.judge ? { judge: await wrap(config.judge) } : {}),
      templates: resolveTemplates(config.language, config.prompts),
      structured: config.structuredOutput,
      maxTokens: config.teacherLimits.maxTokens,
      maxReplyCharacters: config.teacherLimits.maxCharacters,
    });
    if (vision) {
      teacher = new VisionLlmTeacher({
        model,
        images: vision.images,
        text: teacher,
        maxTokens: config.teacherLimits.maxTokens,
        structured: config.structuredOutput,
        maxReplyCharacters: config.teacherLimits.maxCharacters,
      });
    }
  }
  if (vision && config.deploy)
    throw new ConfigError(
      `${file}: deploy: the deploy stage exports text students only; a vision student's GGUF and mmproj are in its stage directory`,
    );
  // The embedded vision student (text GGUF + mmproj) runs in llama-server; a GPU engine's VLM is
  // evaluated by its own route.
  const embeddedVision = vision && config.student.projector !== undefined;
  if (embeddedVision && !startVisionStudent)
    throw new ConfigError(`${file}: student.projector: this caller cannot run a vision student`);
  const threads = threadsPerTraining(config.parallelStrategies);
  const visionFiles = embeddedVision
    ? await visionStudentFiles(
        {
          model: config.student.model,
          projector: config.student.projector!,
          ...(config.student.shape ? { shape: config.student.shape } : {}),
        },
        directory,
        train,
        data.corpus ?? [],
      )
    : undefined;
  const studentPath =
    visionFiles?.modelPath ?? configuredStudent ?? (await newStudentModel(config, directory, train));
  const runtime = new LlamaCppRuntime();
  const { engine, load } = await studentSide({
    config,
    directory,
    baseModel: studentPath,
    runtime,
    guard,
    resolveModel: (spec) => resolveModel(spec),
  });
  const student: StudentSettings = {
    baseModel: studentPath,
    ...(visionFiles ? { visionProjector: visionFiles.projectorPath } : {}),
    engine,
    hyperparameters: definedOnly(config.student.training),
    ...(config.student.stage2Training
      ? { stage2Hyperparameters: definedOnly(config.student.stage2Training) }
      : {}),
    maxAnswerTokens: config.student.maxAnswerTokens,
    load: visionFiles
      ? visionStudentLoader(startVisionStudent!, visionFiles, {
          parallel: Math.min(8, config.concurrency),
          threads,
        })
      : load,
  };
  return {
    name: config.name,
    directory,
    strategies: config.strategies,
    seeds: config.seeds,
    train,
    test,
    teacher,
    student,
    concurrency: config.concurrency,
    parallelStrategies: config.parallelStrategies,
    samples: config.samples,
    rounds: config.rounds,
    stage2Replay: config.stage2Replay,
    ...(vision ? { vision } : {}),
    release: async () => {
      await vision?.close();
    },
  };
}

/** A new random-weight GGUF student made from the data's text (`student.model: new`). */
async function newStudentModel(config: RunConfig, directory: string, train: Item[]): Promise<string> {
  const path = join(directory, 'student-base.gguf');
  if (existsSync(path)) return path;
  const shape = config.student.shape ?? {
    layers: 2,
    embeddingLength: 128,
    contextLength: 256,
    tokenizer: 'word' as const,
    seed: 1,
  };
  const corpus = studentCorpus(train);
  await createModelFile({ out: path, corpus, ...shape, embeddingLength: shape.embeddingLength });
  return path;
}
