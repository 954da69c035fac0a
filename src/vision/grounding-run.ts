import { join } from 'node:path';
import type { DatasetProblem } from '../datasets/dataset-problem.js';
import { ImageLibrary } from '../datasets/images/image-library.js';
import { loadDataset } from '../datasets/load-dataset.js';
import { InputError } from '../errors.js';
import type { LanguageModel } from '../models/language-model.js';
import { renderGroundingChart } from '../report/charts/grounding-chart.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import { type GroundingResult, runGroundingAnalysis } from './grounding.js';
import { imageLimitsSchema } from './image-limits.js';
import { VisionImages } from './images.js';

export interface GroundingRunOptions {
  modelSpec: string;
  /** Turns a spec into a model; injected so this code does not decide which adapters exist. */
  resolveModel: (spec: string) => Promise<LanguageModel>;
  dataPath: string;
  imageRoot?: string;
  /** Only items of this split (e.g. test). */
  split?: string;
  limit?: number;
  seed: number;
  concurrency: number;
  maxTokens: number;
  /** Longest image side sent to the model. */
  maxSide: number;
  withCaptions: boolean;
  /** Write grounding.json (every reply) and grounding.svg here. */
  out?: string;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface GroundingRun {
  /** Records the loader skipped, each naming its file, line and field. */
  loadProblems: DatasetProblem[];
  result: GroundingResult;
}

/**
 * What `medistill vqa grounding` does: load a VQA dataset, run the grounding analysis (real, blank,
 * other and no image) on a model and, with `out`, write the result and its chart.
 */
export async function runGrounding(options: GroundingRunOptions): Promise<GroundingRun> {
  const loaded = await loadDataset(
    options.dataPath,
    options.imageRoot === undefined ? {} : { imageRoot: options.imageRoot },
  );
  const { split } = options;
  const items = split === undefined ? loaded.items : loaded.items.filter((item) => item.split === split);
  if (items.length === 0)
    throw new InputError(`no items${split === undefined ? '' : ` in split "${split}"`}`, {
      file: options.dataPath,
    });
  const library = new ImageLibrary();
  let model: LanguageModel | undefined;
  try {
    model = await options.resolveModel(options.modelSpec);
    const result = await runGroundingAnalysis({
      model,
      items,
      images: new VisionImages(library, { limits: imageLimitsSchema.parse({ maxSide: options.maxSide }) }),
      seed: options.seed,
      concurrency: options.concurrency,
      maxTokens: options.maxTokens,
      withCaptions: options.withCaptions,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (options.out !== undefined) {
      await writeFileAtomically(join(options.out, 'grounding.json'), `${JSON.stringify(result, null, 2)}\n`);
      await writeFileAtomically(
        join(options.out, 'grounding.svg'),
        await renderGroundingChart(result.summary, `${result.modelId} on ${result.summary.n} items`),
      );
    }
    return { loadProblems: loaded.problems, result };
  } finally {
    await library.close();
    await model?.close?.();
  }
}
