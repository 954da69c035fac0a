import type { DatasetFormat } from '../datasets/dataset-format.js';
import { loadDataset } from '../datasets/load-dataset.js';
import { type PhiScanReport, scanItems } from './phi-scan.js';

export interface PhiScanOptions {
  path: string;
  format?: DatasetFormat;
}

/** `medistill phi-scan DATA`: loads a dataset and scans every item's text for likely identifiers. */
export async function runPhiScan(options: PhiScanOptions): Promise<PhiScanReport> {
  const loaded = await loadDataset(options.path, options.format ? { format: options.format } : {});
  return scanItems(loaded.items);
}
