import { basename, extname, join } from 'node:path';
import type { DatasetProblem } from '../dataset-problem.js';
import { type LoadDatasetOptions, streamDataset } from '../load-dataset.js';
import type { ExportResult } from './export-options.js';
import { exportLlamaFactory } from './llamafactory.js';
import { checkLlamaFactoryDataset, type LlamaFactoryCheck } from './llamafactory-check.js';
import { exportOpenAiChat } from './openai-chat.js';

export type ConversionTarget = 'openai' | 'llamafactory' | 'alpaca';

export interface ConvertDatasetOptions {
  to: ConversionTarget;
  /** The output folder. */
  out: string;
  /** Dataset name (default: from the file name). */
  name?: string;
  /** LLaMA-Factory and Alpaca: copy images into the folder, or reference the originals. */
  images: 'copy' | 'reference';
  /** A system prompt for every record. */
  system?: string;
  /** How to read the input; its `onProblem` also hears the exporters' problems. */
  load: LoadDatasetOptions;
}

export interface ConvertDatasetResult extends ExportResult {
  format: string;
  name: string;
  /** The LLaMA-Factory check of what was written (empty for OpenAI chat). */
  checks: LlamaFactoryCheck[];
}

/** A dataset name from a file name: lower case, runs of other characters as one underscore. */
export function datasetName(file: string): string {
  return (
    basename(file, extname(file))
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '') || 'dataset'
  );
}

/**
 * What `medistill data convert` does: stream a dataset into a trainer's format (OpenAI chat JSONL,
 * LLaMA-Factory sharegpt or Alpaca with dataset_info.json), then check the LLaMA-Factory output the
 * way LLaMA-Factory will (image tags against images, files present).
 */
export async function convertDataset(
  path: string,
  options: ConvertDatasetOptions,
): Promise<ConvertDatasetResult> {
  const stream = await streamDataset(path, options.load);
  const name = options.name ?? datasetName(stream.file);
  const onProblem = (problem: DatasetProblem): void => options.load.onProblem?.(problem);
  const common = { onProblem, ...(options.system === undefined ? {} : { system: options.system }) };
  const result =
    options.to === 'openai'
      ? await exportOpenAiChat(stream.items, join(options.out, `${name}.jsonl`), common)
      : await exportLlamaFactory(stream.items, options.out, {
          ...common,
          name,
          images: options.images,
          formatting: options.to === 'alpaca' ? 'alpaca' : 'sharegpt',
        });
  const checks = options.to === 'openai' ? [] : await checkLlamaFactoryDataset(options.out, [name]);
  return { ...result, format: stream.format, name, checks };
}
