import type { LoadDatasetOptions } from './load-dataset.js';
import { streamDataset } from './load-dataset.js';
import type { DatasetSummary } from './summarize-dataset.js';
import { DatasetSummaryBuilder } from './summarize-dataset.js';

/** Read a dataset once, streaming, and summarise it: counts, distributions, images, problems. */
export async function inspectDataset(
  path: string,
  options: LoadDatasetOptions & { maxProblems?: number } = {},
): Promise<DatasetSummary> {
  const builder = new DatasetSummaryBuilder(options.maxProblems);
  const stream = await streamDataset(path, {
    ...options,
    onProblem: (problem) => {
      builder.addProblem(problem);
      options.onProblem?.(problem);
    },
  });
  for await (const item of stream.items) builder.addItem(item);
  return builder.result(stream.file, stream.format);
}
