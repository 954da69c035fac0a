import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../errors.js';
import { writeFileAtomically } from '../../util/atomic-write.js';

/** One dataset's entry in LLaMA-Factory's `dataset_info.json`. */
export const datasetInfoEntrySchema = z.looseObject({
  file_name: z.string().min(1),
  formatting: z.enum(['alpaca', 'sharegpt']).optional(),
  columns: z.record(z.string(), z.string()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
});
export type DatasetInfoEntry = z.infer<typeof datasetInfoEntrySchema>;

const datasetInfoSchema = z.record(z.string(), datasetInfoEntrySchema);

/** Read `dataset_info.json` from a dataset folder; an absent file is an empty registry. */
export async function readDatasetInfo(folder: string): Promise<Record<string, DatasetInfoEntry>> {
  const path = join(folder, 'dataset_info.json');
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError('not valid JSON', { file: path }, { cause: error });
  }
  const result = datasetInfoSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError(issue?.message ?? 'not a dataset_info.json', {
      file: path,
      field: issue?.path.join('.') ?? '',
    });
  }
  return result.data;
}

/** Add or replace one entry, keeping the others (several datasets can share a folder). */
export async function registerDataset(
  folder: string,
  name: string,
  entry: DatasetInfoEntry,
): Promise<string> {
  const info = await readDatasetInfo(folder);
  info[name] = entry;
  const path = join(folder, 'dataset_info.json');
  await writeFileAtomically(path, `${JSON.stringify(info, null, 2)}\n`);
  return path;
}
