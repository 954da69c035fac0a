import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { ConfigError, InputError } from '../errors.js';
import type { ColumnMapping, DatasetFormat, RecordContainer } from './dataset-format.js';
import { containerForPath } from './dataset-format.js';
import { PUBMEDQA_FILE_NAME, VQA_RAD_FILE_NAME } from './detect-format.js';
import { convertChatRecord } from './records/chat-record.js';
import { mappedConverter } from './records/mapped-record.js';
import type { CopBase } from './records/medmcqa-record.js';
import { medmcqaConverter } from './records/medmcqa-record.js';
import { convertMedqaRecord } from './records/medqa-record.js';
import { mmluConverter, mmluSubjectFromFileName } from './records/mmlu-row.js';
import { convertNativeItem } from './records/native-item-record.js';
import { convertPmcVqaRow } from './records/pmc-vqa-row.js';
import { pubmedqaConverter } from './records/pubmedqa-record.js';
import type { RecordConverter } from './records/record-result.js';
import { convertVqaRadRecord } from './records/vqa-rad-record.js';

export interface PlanSettings {
  imageRoot?: string | undefined;
  mapping?: ColumnMapping | undefined;
  medmcqaCopBase?: CopBase | undefined;
}

/** How to read one dataset: which file, in which container, with which converter, images from where. */
export interface DatasetPlan {
  file: string;
  container: RecordContainer;
  csvHeader: boolean;
  convert: RecordConverter;
  /** A folder or .zip that relative image names are resolved against. */
  imageRoot: string;
  /** The record field that names images, for missing-image problems. */
  imageField: string;
}

/** Work out where a dataset of a known format lives and how to convert its records. */
export async function planDataset(
  path: string,
  format: DatasetFormat,
  settings: PlanSettings,
): Promise<DatasetPlan> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats) throw new InputError('no such file or folder', { file: path });
  const isFolder = stats.isDirectory();
  const plan = (file: string, convert: RecordConverter, extra: Partial<DatasetPlan> = {}): DatasetPlan => ({
    file,
    container: containerOf(file),
    csvHeader: true,
    convert,
    imageRoot: settings.imageRoot ?? dirname(file),
    imageField: 'images',
    ...extra,
  });
  switch (format) {
    case 'pubmedqa': {
      const file = isFolder ? join(path, PUBMEDQA_FILE_NAME) : path;
      return plan(file, pubmedqaConverter(await readPubmedqaTestIds(file)), { container: 'json' });
    }
    case 'vqa-rad': {
      const file = isFolder ? join(path, VQA_RAD_FILE_NAME) : path;
      const imageRoot = settings.imageRoot ?? join(dirname(file), 'images');
      return plan(file, convertVqaRadRecord, { container: 'json', imageRoot, imageField: 'image_name' });
    }
    case 'pmc-vqa':
      return plan(refuseFolder(path, isFolder), convertPmcVqaRow, {
        container: 'csv',
        imageRoot: settings.imageRoot ?? pmcVqaImageRoot(path),
        imageField: 'Figure_path',
      });
    case 'mmlu': {
      const subject = mmluSubjectFromFileName(basename(path));
      return plan(refuseFolder(path, isFolder), mmluConverter(subject === undefined ? {} : { subject }), {
        container: 'csv',
        csvHeader: false,
      });
    }
    case 'medqa':
      return plan(refuseFolder(path, isFolder), convertMedqaRecord);
    case 'medmcqa': {
      const file = refuseFolder(path, isFolder);
      // The Hugging Face Parquet dump counts cop from 0, the original JSON release from 1.
      const copBase = settings.medmcqaCopBase ?? (containerOf(file) === 'parquet' ? 0 : 1);
      return plan(file, medmcqaConverter(copBase));
    }
    case 'conversations':
    case 'openai-messages':
      return plan(refuseFolder(path, isFolder), convertChatRecord);
    case 'medistill-items':
      return plan(refuseFolder(path, isFolder), convertNativeItem);
    case 'generic': {
      if (!settings.mapping) {
        throw new ConfigError(
          `${path}: this layout needs a column mapping (question, answer, options...): pass --map`,
        );
      }
      return plan(refuseFolder(path, isFolder), mappedConverter(settings.mapping), {
        imageField: settings.mapping.image ?? 'image',
      });
    }
  }
}

function refuseFolder(path: string, isFolder: boolean): string {
  if (isFolder) throw new InputError('expected a data file, found a folder', { file: path });
  return path;
}

function containerOf(file: string): RecordContainer {
  const container = containerForPath(file);
  if (!container)
    throw new InputError('unknown file type: expected .jsonl, .json, .csv or .parquet', { file });
  return container;
}

/** PMC-VQA ships its figures as `images/` (or `figures/`) or a zip of them next to the CSV. */
function pmcVqaImageRoot(csvPath: string): string {
  const folder = dirname(csvPath);
  for (const candidate of ['images', 'figures', 'images.zip', 'figures.zip']) {
    if (existsSync(join(folder, candidate))) return join(folder, candidate);
  }
  return folder;
}

const groundTruthSchema = z.record(z.string(), z.string());

/** The official PQA-L test ids from `test_ground_truth.json` beside the data, if it is there. */
async function readPubmedqaTestIds(file: string): Promise<Set<string> | undefined> {
  const groundTruth = join(dirname(file), 'test_ground_truth.json');
  if (!existsSync(groundTruth)) return undefined;
  let parsed: ReturnType<typeof groundTruthSchema.safeParse>;
  try {
    parsed = groundTruthSchema.safeParse(JSON.parse(await readFile(groundTruth, 'utf8')));
  } catch (error) {
    throw new InputError('not valid JSON', { file: groundTruth }, { cause: error });
  }
  if (!parsed.success) throw new InputError('expected an object {PubMed id: label}', { file: groundTruth });
  return new Set(Object.keys(parsed.data));
}
