import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetInfo } from '../../datasets/export/dataset-info.js';
import { checkLlamaFactoryDataset } from '../../datasets/export/llamafactory-check.js';
import { InputError } from '../../errors.js';
import { chatJsonlToSharegpt } from './chat-jsonl-to-sharegpt.js';

export interface StagedDataset {
  /** LLaMA-Factory's `dataset_dir`. */
  datasetDir: string;
  /** Entries of dataset_info.json to train on. */
  datasets: string[];
  records: number;
  images: number;
}

/**
 * Make the job's data something `llamafactory-cli` can load, and check it the way its loader
 * would fail: a LLaMA-Factory dataset folder (with dataset_info.json) is used in place; chat
 * JSONL is converted into `stagingDir`. Then every record's `<image>` tags must equal its
 * images and every image must exist; the first bad record is thrown, naming file and line,
 * before any GPU time is spent.
 */
export async function stageDataset(dataPath: string, stagingDir: string): Promise<StagedDataset> {
  if (!existsSync(dataPath)) throw new InputError('the training data does not exist', { file: dataPath });
  let datasetDir: string;
  let datasets: string[];
  if (statSync(dataPath).isDirectory()) {
    if (!existsSync(join(dataPath, 'dataset_info.json')))
      throw new InputError('a LLaMA-Factory dataset folder needs a dataset_info.json', { file: dataPath });
    datasetDir = dataPath;
    datasets = Object.keys(await readDatasetInfo(dataPath));
    if (datasets.length === 0)
      throw new InputError('dataset_info.json lists no dataset', {
        file: join(dataPath, 'dataset_info.json'),
      });
  } else {
    datasetDir = stagingDir;
    datasets = ['medistill_train'];
    await chatJsonlToSharegpt(dataPath, stagingDir, 'medistill_train');
  }
  const checks = await checkLlamaFactoryDataset(datasetDir, datasets);
  const problems = checks.flatMap((check) => check.problems);
  if (problems.length > 0) {
    const first = problems[0]!;
    throw new InputError(
      `${first.message}: LLaMA-Factory would refuse this record${problems.length > 1 ? ` (${problems.length} problems in all)` : ''}`,
      {
        file: first.file,
        ...(first.line === undefined ? {} : { line: first.line }),
        ...(first.field === undefined ? {} : { field: first.field }),
      },
    );
  }
  const records = checks.reduce((sum, check) => sum + check.records, 0);
  if (records === 0) throw new InputError('the training data holds no records', { file: dataPath });
  return { datasetDir, datasets, records, images: checks.reduce((sum, check) => sum + check.images, 0) };
}
