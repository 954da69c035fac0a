import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ImagingBenchmarkOptions } from '../../benchmark/imaging/generate-imaging.js';
import { buildImagingBenchmark } from '../../benchmark/imaging/generate-imaging.js';
import { SceneTeacher } from '../../benchmark/imaging/scene-teacher.js';
import { writeImagingImages } from '../../benchmark/imaging/write-imaging.js';
import { ImageLibrary } from '../../datasets/images/image-library.js';
import type { Item } from '../../datasets/item.js';
import { ConfigError } from '../../errors.js';
import { metadataValue } from '../../gguf/gguf-types.js';
import { readGgufHeader } from '../../gguf/read-gguf.js';
import { createVisionStudent } from '../../model/vision-student.js';
import type { LanguageModel } from '../../models/language-model.js';
import { type ImageLimitsInput, imageLimitsSchema } from '../../vision/image-limits.js';
import { VisionImages } from '../../vision/images.js';
import { SceneGroundedTeacher } from '../teacher/scene-grounded-teacher.js';
import type { Teacher } from '../teacher/teacher.js';
import type { VisionSettings } from '../vision-inputs.js';
import { projectorBeside } from '../vision-projector-path.js';
import { studentCorpus } from './student-corpus.js';

export interface VisionStudentServerOptions {
  /** Context per request in tokens: prompt, image tokens and reply. */
  contextSize: number;
  /** Requests answered at once. */
  parallel: number;
  threads: number;
}

/**
 * Starts a vision student (text GGUF + mmproj) as a LanguageModel, `close()` stopping it. The
 * runtime (llama-server --mmproj) lives in deploy/, above this layer, so callers pass it in.
 */
export type VisionStudentStarter = (
  modelPath: string,
  projectorPath: string,
  options: VisionStudentServerOptions,
) => Promise<LanguageModel>;

/** Strategies that need images: a run over text data naming one is refused. */
export const visionStrategies = new Set(['cot-vl', 'cot-vl-captions']);

/** The imaging benchmark as run data: its films written under the run directory, and its teacher. */
export async function imagingRunData(
  options: ImagingBenchmarkOptions,
  directory: string,
): Promise<{ train: Item[]; test: Item[]; teacher: Teacher; corpus: string[] }> {
  const benchmark = buildImagingBenchmark({
    ...options,
    imageDirectory: join(directory, 'benchmark-images'),
  });
  await writeImagingImages(benchmark);
  return {
    train: benchmark.train,
    test: benchmark.test,
    // Sampling seeded by the benchmark, so a rerun draws the same rationales and the caches hold.
    teacher: new SceneGroundedTeacher(new SceneTeacher(benchmark.knowledgeBase), {
      seed: benchmark.options.seed,
    }),
    corpus: benchmark.knowledgeBase.factLines(),
  };
}

/** How many items carry images. */
export function countWithImages(items: readonly Item[]): number {
  return items.filter((item) => (item.images?.length ?? 0) > 0).length;
}

/**
 * Refuse, before any work, a run whose student and data do not fit: image data with a text-only
 * student (no `student.projector`), or a vision strategy over data without images.
 */
export function checkVisionFit(
  file: string,
  settings: {
    projector: string | undefined;
    strategies: readonly string[];
    /** A GPU engine's Hugging Face student: a VLM carries its own vision tower, no mmproj. */
    hfStudent?: string;
  },
  train: readonly Item[],
): boolean {
  const withImages = countWithImages(train);
  if (withImages > 0 && settings.hfStudent !== undefined) {
    if (!isVisionLanguageHfModel(settings.hfStudent))
      throw new ConfigError(
        `${file}: student.model: the training data has images (${withImages} of ${train.length} items) but ${settings.hfStudent} is a text-only model (its config.json has no vision_config); name a vision-language model such as Qwen2.5-VL`,
      );
    return true;
  }
  if (withImages > 0 && settings.projector === undefined)
    throw new ConfigError(
      `${file}: student.projector: the training data has images (${withImages} of ${train.length} items) but the student is text-only; set student.projector to the student's mmproj GGUF (or \`new\` with student.model \`new\`)`,
    );
  const named = settings.strategies.filter((name) => visionStrategies.has(name));
  if (withImages === 0 && named.length > 0)
    throw new ConfigError(
      `${file}: strategies: ${named.join(', ')} need image data, and no training item has an image`,
    );
  if (withImages === 0 && settings.projector !== undefined)
    throw new ConfigError(`${file}: student.projector: the data has no images for a vision student`);
  return withImages > 0;
}

/** What reads and sends the run's images, and releases the archives it opened. */
export function visionSettings(
  limits: ImageLimitsInput | undefined,
): VisionSettings & { close(): Promise<void> } {
  const library = new ImageLibrary();
  return {
    images: new VisionImages(library, { limits: imageLimitsSchema.parse(limits ?? {}) }),
    withCaptions: false,
    close: () => library.close(),
  };
}

export interface VisionStudentShape {
  layers: number;
  embeddingLength: number;
  contextLength: number;
  seed: number;
}

/**
 * The vision student's files: the configured text GGUF and mmproj (both checked to be GGUF), or a
 * new tiny random pair made from the training text (`student-base.gguf` and its mmproj).
 */
export async function visionStudentFiles(
  settings: { model: string; projector: string; shape?: Partial<VisionStudentShape> },
  directory: string,
  train: readonly Item[],
  extraCorpus: readonly string[],
): Promise<{ modelPath: string; projectorPath: string }> {
  if (settings.model !== 'new') {
    if (settings.projector === 'new')
      throw new ConfigError(
        'student.projector: `new` makes a new student, so student.model must be `new` too',
      );
    const modelPath = resolve(settings.model);
    const projectorPath = resolve(settings.projector);
    await readGgufHeader(modelPath);
    const header = await readGgufHeader(projectorPath);
    if (metadataValue(header.metadata, 'general.architecture') !== 'clip')
      throw new ConfigError(`student.projector: ${projectorPath} is not an mmproj (clip) GGUF`);
    return { modelPath, projectorPath };
  }
  const modelPath = join(directory, 'student-base.gguf');
  if (existsSync(modelPath) && existsSync(projectorBeside(modelPath)))
    return { modelPath, projectorPath: projectorBeside(modelPath) };
  const corpus = [
    ...studentCorpus(train),
    ...train.flatMap((item) => (item.caption ? [`Caption: ${item.caption}`] : [])),
    ...extraCorpus,
  ];
  const created = await createVisionStudent(directory, {
    corpus,
    name: 'student-base',
    layers: settings.shape?.layers ?? 2,
    embeddingLength: settings.shape?.embeddingLength ?? 64,
    contextLength: settings.shape?.contextLength ?? 512,
    seed: settings.shape?.seed ?? 1,
  });
  return { modelPath: created.modelPath, projectorPath: created.projectorPath };
}

/**
 * Loads a vision student for evaluation: llama-server with the mmproj beside the model (a trained
 * stage's), or the base projector for the base model itself.
 */
export function visionStudentLoader(
  start: VisionStudentStarter,
  base: { modelPath: string; projectorPath: string },
  options: { parallel: number; threads: number },
): (path: string) => Promise<LanguageModel> {
  return async (path) => {
    const projector = resolve(path) === resolve(base.modelPath) ? base.projectorPath : projectorBeside(path);
    if (!existsSync(projector))
      throw new ConfigError(`the vision student ${path} has no mmproj beside it (${projector})`);
    const header = await readGgufHeader(path);
    const architecture = String(metadataValue(header.metadata, 'general.architecture') ?? 'llama');
    const context = Number(metadataValue(header.metadata, `${architecture}.context_length`) ?? 2048);
    return start(path, projector, { contextSize: context, ...options });
  };
}

/**
 * Whether a Hugging Face student sees images: a local folder's config.json has a `vision_config`
 * (Qwen2-VL, Qwen2.5-VL, Qwen3-VL and the other transformers VLMs); a hub id cannot be read
 * offline, so its name must say VL.
 */
export function isVisionLanguageHfModel(model: string): boolean {
  const configPath = join(model, 'config.json');
  if (!existsSync(configPath)) return /(^|[-_/])vl([-_.]|$)/i.test(model);
  try {
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    return typeof config.vision_config === 'object' && config.vision_config !== null;
  } catch {
    return false;
  }
}
