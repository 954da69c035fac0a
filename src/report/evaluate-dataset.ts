import { join } from 'node:path';
import type { DatasetProblem } from '../datasets/dataset-problem.js';
import { ImageLibrary } from '../datasets/images/image-library.js';
import { imageMediaType } from '../datasets/images/image-media-type.js';
import type { Item } from '../datasets/item.js';
import { loadDataset } from '../datasets/load-dataset.js';
import { ConfigError, InputError } from '../errors.js';
import {
  type EvaluationMode,
  type EvaluationProgress,
  type EvaluationResult,
  evaluate,
} from '../eval/evaluate.js';
import type { ContinuationStyle } from '../eval/score/loglik.js';
import type { LanguageModel } from '../models/language-model.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import { baselinesFromSummary, itemRecordsFromItems, strategyFromEvaluation } from './build-run-report.js';
import { writeRunReport } from './read-run-report.js';
import { renderHtmlReport } from './render-html-report.js';
import { renderMarkdownReport } from './render-markdown-report.js';
import type { RunReport } from './run-report.js';

export interface EvaluateDatasetOptions {
  modelSpec: string;
  dataPath: string;
  mode: EvaluationMode;
  /** Turns a spec into a model; injected so this code does not decide which adapters exist. */
  resolveModel: (spec: string) => Promise<LanguageModel>;
  judgeSpec?: string;
  limit?: number;
  concurrency: number;
  /** Write predictions.jsonl, summary.json, results.json, report.html and report.md here. */
  out?: string;
  /** The strategy's name in the report (default: the model spec). */
  name?: string;
  continuationStyle?: ContinuationStyle;
  maxTokens?: number;
  ignoreImages?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: EvaluationProgress) => void;
}

export interface EvaluateDatasetResult {
  items: Item[];
  /** Records the loader skipped, each naming its file, line and field. */
  problems: DatasetProblem[];
  result: EvaluationResult;
  report: RunReport;
}

/**
 * What `medistill eval` does: load a dataset, score a model on it (log-likelihood, chain of thought
 * or judged), build a one-strategy run report and, with `out`, write it with the predictions.
 */
export async function evaluateDataset(options: EvaluateDatasetOptions): Promise<EvaluateDatasetResult> {
  // Refuse before loading anything: a GGUF model can take a while to load.
  if (options.mode === 'judge' && options.judgeSpec === undefined)
    throw new ConfigError('--mode judge needs --judge <spec>');
  const loaded = await loadDataset(options.dataPath);
  const items = options.limit !== undefined ? loaded.items.slice(0, options.limit) : loaded.items;
  if (items.length === 0) throw new InputError('no usable items in the dataset', { file: options.dataPath });
  const images = new ImageLibrary();
  const models: LanguageModel[] = [];
  try {
    const model = await options.resolveModel(options.modelSpec);
    models.push(model);
    const judge = options.judgeSpec !== undefined ? await options.resolveModel(options.judgeSpec) : undefined;
    if (judge) models.push(judge);
    const result = await evaluate({
      model,
      items,
      mode: options.mode,
      ...(judge ? { judge } : {}),
      concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.continuationStyle ? { continuationStyle: options.continuationStyle } : {}),
      ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
      ...(options.ignoreImages ? { ignoreImages: true } : {}),
      imageLoader: async (image) => ({ mediaType: imageMediaType(image), data: await images.read(image) }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const name = options.name ?? options.modelSpec;
    const report: RunReport = {
      schemaVersion: 1,
      title: `${name} on ${options.dataPath}`,
      createdAt: new Date().toISOString(),
      dataset: { name: options.dataPath, path: options.dataPath, itemCount: items.length },
      strategies: [strategyFromEvaluation(name, result)],
      comparisons: [],
      baselines: baselinesFromSummary(result.summary),
      trainingHistories: [],
      items: itemRecordsFromItems(items),
    };
    if (options.out) await writeEvaluationOutputs(options.out, result, report);
    return { items, problems: loaded.problems, result, report };
  } finally {
    await images.close();
    for (const model of models) await model.close?.();
  }
}

async function writeEvaluationOutputs(
  directory: string,
  result: EvaluationResult,
  report: RunReport,
): Promise<void> {
  await writeFileAtomically(
    join(directory, 'predictions.jsonl'),
    result.predictions.map((prediction) => `${JSON.stringify(prediction)}\n`).join(''),
  );
  await writeFileAtomically(
    join(directory, 'summary.json'),
    `${JSON.stringify({ model: result.modelId, mode: result.mode, ...result.summary }, null, 2)}\n`,
  );
  await writeRunReport(join(directory, 'results.json'), report);
  await writeFileAtomically(join(directory, 'report.html'), await renderHtmlReport(report));
  await writeFileAtomically(join(directory, 'report.md'), renderMarkdownReport(report));
}
