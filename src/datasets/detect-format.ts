import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetSchema } from 'hyparquet';
import { InputError } from '../errors.js';
import type { DatasetFormat } from './dataset-format.js';
import { containerForPath } from './dataset-format.js';
import { readCsvRecords } from './sources/csv-reader.js';
import { readJsonMembers } from './sources/json-reader.js';
import { readJsonLines } from './sources/jsonl-reader.js';
import type { SourceEntry } from './sources/source-entry.js';

export const VQA_RAD_FILE_NAME = 'VQA_RAD Dataset Public.json';
export const PUBMEDQA_FILE_NAME = 'ori_pqal.json';

/**
 * Tell a dataset's format from its path and, where the name is not enough, from its first
 * record's fields. Returns `generic` for tabular data in no known layout (a column mapping is
 * then needed). Throws InputError when the path cannot be a dataset at all.
 */
export async function detectFormat(path: string): Promise<DatasetFormat> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats) throw new InputError('no such file or folder', { file: path });
  if (stats.isDirectory()) {
    if (existsSync(join(path, VQA_RAD_FILE_NAME))) return 'vqa-rad';
    if (existsSync(join(path, PUBMEDQA_FILE_NAME))) return 'pubmedqa';
    throw new InputError(
      `a folder is read only as VQA-RAD ("${VQA_RAD_FILE_NAME}") or PubMedQA ("${PUBMEDQA_FILE_NAME}"); give a data file`,
      {
        file: path,
      },
    );
  }
  const name = basename(path).toLowerCase();
  if (name === PUBMEDQA_FILE_NAME) return 'pubmedqa';
  if (name === VQA_RAD_FILE_NAME.toLowerCase()) return 'vqa-rad';
  const container = containerForPath(path);
  switch (container) {
    case 'csv':
      return detectCsv(path);
    case 'json':
      return classifyFirst(readJsonMembers(path));
    case 'jsonl':
      return classifyFirst(readJsonLines(path));
    case 'parquet': {
      const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
      return classifyKeys(new Set(parquetSchema(metadata).children.map((child) => child.element.name)));
    }
    default:
      throw new InputError('unknown file type: expected .jsonl, .json, .csv or .parquet (or give --format)', {
        file: path,
      });
  }
}

/** The format a record's field names point to; `generic` when none does. */
export function classifyKeys(keys: ReadonlySet<string>): DatasetFormat {
  if (keys.has('kind') && keys.has('id') && keys.has('question')) return 'medistill-items';
  if (keys.has('opa') && keys.has('cop')) return 'medmcqa';
  if (keys.has('options') && keys.has('answer_idx')) return keys.has('realidx') ? 'medmcqa' : 'medqa';
  if (keys.has('QUESTION') && keys.has('final_decision')) return 'pubmedqa';
  if (keys.has('image_name') && keys.has('answer_type')) return 'vqa-rad';
  if (keys.has('Figure_path') && keys.has('Answer_label')) return 'pmc-vqa';
  if (keys.has('conversations')) return 'conversations';
  if (keys.has('messages')) return 'openai-messages';
  return 'generic';
}

async function classifyFirst(entries: AsyncGenerator<SourceEntry>): Promise<DatasetFormat> {
  for await (const entry of entries) {
    if (!('value' in entry)) continue;
    const value = entry.value;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      // PubMedQA-like documents are keyed by id: the member is the record.
      await entries.return(undefined);
      return classifyKeys(new Set(Object.keys(value)));
    }
  }
  return 'generic';
}

async function detectCsv(path: string): Promise<DatasetFormat> {
  const rows = readCsvRecords(path, { header: false });
  for await (const entry of rows) {
    if (!('value' in entry) || !Array.isArray(entry.value)) continue;
    await rows.return(undefined);
    const cells = entry.value.map((cell) => String(cell).trim());
    if (cells.includes('Figure_path') && cells.includes('Answer_label')) return 'pmc-vqa';
    if (cells.length === 6 && /^[A-D]$/i.test(cells[5] ?? '')) return 'mmlu';
    return 'generic';
  }
  return 'generic';
}
