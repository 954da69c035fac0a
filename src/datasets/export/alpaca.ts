import type { Item } from '../item.js';
import type { ExportResult } from './export-options.js';
import type { LlamaFactoryExportOptions } from './llamafactory.js';
import { exportLlamaFactory } from './llamafactory.js';

/**
 * Write an Alpaca dataset (`[{instruction, input, output}]`, plus `images` where items have them)
 * with its LLaMA-Factory `dataset_info.json` entry, so it trains as it is.
 */
export function exportAlpaca(
  items: AsyncIterable<Item> | Iterable<Item>,
  folder: string,
  options: Omit<LlamaFactoryExportOptions, 'formatting'>,
): Promise<ExportResult> {
  return exportLlamaFactory(items, folder, { ...options, formatting: 'alpaca' });
}
