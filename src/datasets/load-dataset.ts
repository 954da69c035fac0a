import { basename, extname } from 'node:path';
import { AbortedError } from '../errors.js';
import type { ColumnMapping, DatasetFormat } from './dataset-format.js';
import type { DatasetPlan } from './dataset-plan.js';
import { planDataset } from './dataset-plan.js';
import type { DatasetProblem, ProblemDraft } from './dataset-problem.js';
import { ProblemReporter } from './dataset-problem.js';
import { detectFormat } from './detect-format.js';
import { ImageLibrary } from './images/image-library.js';
import type { ImageRef, Item } from './item.js';
import { multipleChoiceItemSchema, openEndedItemSchema, yesNoMaybeItemSchema } from './item.js';
import type { CopBase } from './records/medmcqa-record.js';
import type { RecordContext } from './records/record-result.js';
import { readCsvRecords } from './sources/csv-reader.js';
import { readJsonMembers } from './sources/json-reader.js';
import { readJsonLines } from './sources/jsonl-reader.js';
import { readParquetRows } from './sources/parquet-reader.js';
import type { SourceEntry } from './sources/source-entry.js';

export interface LoadDatasetOptions {
  /** Skip detection and read the data as this format. */
  format?: DatasetFormat;
  /** Throw the first problem as an InputError instead of recording it. */
  strict?: boolean;
  /** The folder or .zip that image names are relative to (default: per format, beside the data). */
  imageRoot?: string;
  /** Column mapping for the `generic` format. */
  mapping?: ColumnMapping;
  /** Whether MedMCQA's `cop` counts from 0 or 1 (default 1, or 0 for Parquet). */
  medmcqaCopBase?: CopBase;
  onProblem?: (problem: DatasetProblem) => void;
  /** Called every 10,000 records. */
  onProgress?: (progress: { records: number; items: number }) => void;
  signal?: AbortSignal;
}

/** An open dataset: its format, and its items to iterate once, in file order. */
export interface DatasetStream {
  format: DatasetFormat;
  file: string;
  items: AsyncIterable<Item>;
}

export interface LoadedDataset {
  format: DatasetFormat;
  items: Item[];
  problems: DatasetProblem[];
}

/**
 * Open a dataset for streaming: memory stays flat however large the file, except for one entry
 * per id the dataset itself supplies (kept to find duplicates; about 100 bytes each). Problems go
 * to `onProblem`; in strict mode the first one is thrown.
 */
export async function streamDataset(path: string, options: LoadDatasetOptions = {}): Promise<DatasetStream> {
  const format = options.format ?? (await detectFormat(path));
  const plan = await planDataset(path, format, {
    imageRoot: options.imageRoot,
    mapping: options.mapping,
    medmcqaCopBase: options.medmcqaCopBase,
  });
  return { format, file: plan.file, items: readItems(plan, options) };
}

/** Load a whole dataset into memory: the good items, and the problems found on the way. */
export async function loadDataset(path: string, options: LoadDatasetOptions = {}): Promise<LoadedDataset> {
  const problems: DatasetProblem[] = [];
  const stream = await streamDataset(path, {
    ...options,
    onProblem: (problem) => {
      problems.push(problem);
      options.onProblem?.(problem);
    },
  });
  const items: Item[] = [];
  for await (const item of stream.items) items.push(item);
  return { format: stream.format, items, problems };
}

function entriesOf(plan: DatasetPlan): AsyncGenerator<SourceEntry> {
  switch (plan.container) {
    case 'jsonl':
      return readJsonLines(plan.file);
    case 'json':
      return readJsonMembers(plan.file);
    case 'csv':
      return readCsvRecords(plan.file, { header: plan.csvHeader });
    case 'parquet':
      return readParquetRows(plan.file);
  }
}

/** `validation` and `dev` read as the splits people mean by them. */
function splitFromFileName(file: string): string | undefined {
  const words = basename(file, extname(file))
    .toLowerCase()
    .split(/[^a-z]+/);
  if (words.includes('test')) return 'test';
  if (words.includes('train')) return 'train';
  if (words.includes('validation') || words.includes('val') || words.includes('dev')) return 'validation';
  return undefined;
}

/** Checking against the item's own kind is several times faster than the union, item by item. */
const schemaFor = {
  'multiple-choice': multipleChoiceItemSchema,
  'open-ended': openEndedItemSchema,
  'yes-no-maybe': yesNoMaybeItemSchema,
} as const;

async function* readItems(plan: DatasetPlan, options: LoadDatasetOptions): AsyncGenerator<Item> {
  const reporter = new ProblemReporter(options);
  const images = new ImageLibrary();
  const seenIds = new Map<string, number>();
  const stem = basename(plan.file, extname(plan.file));
  const defaultSplit = splitFromFileName(plan.file);
  let records = 0;
  let items = 0;
  const report = (
    draft: ProblemDraft,
    entry: SourceEntry,
    severity: 'error' | 'warning',
    itemId?: string,
  ) => {
    const problem: DatasetProblem = { ...draft, severity, file: plan.file, record: entry.ordinal };
    if (entry.line !== undefined) problem.line = entry.line;
    if (itemId !== undefined) problem.itemId = itemId;
    reporter.report(problem);
  };
  try {
    for await (const entry of entriesOf(plan)) {
      if (options.signal?.aborted) throw new AbortedError(`reading ${plan.file} was aborted`);
      records += 1;
      if (records % 10_000 === 0) options.onProgress?.({ records, items });
      if ('error' in entry) {
        report({ code: 'malformed-record', message: entry.error }, entry, 'error');
        continue;
      }
      const context: RecordContext = { fallbackId: `${stem}:${entry.line ?? entry.ordinal}` };
      if (defaultSplit !== undefined) context.defaultSplit = defaultSplit;
      if (entry.key !== undefined) context.key = entry.key;
      const result = plan.convert(entry.value, context);
      if (!result.item) {
        for (const draft of result.problems) report(draft, entry, 'error');
        continue;
      }
      const checked = schemaFor[result.item.kind].safeParse(result.item);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          report(
            { code: 'invalid-value', field: issue.path.join('.'), message: issue.message },
            entry,
            'error',
            result.item.id,
          );
        }
        continue;
      }
      const item = checked.data;
      const firstLine = seenIds.get(item.id);
      if (firstLine !== undefined) {
        const where = entry.line === undefined ? `record ${firstLine}` : `line ${firstLine}`;
        report(
          {
            code: 'duplicate-id',
            field: 'id',
            message: `duplicate id "${item.id}" (first at ${where}); this one was skipped`,
          },
          entry,
          'error',
          item.id,
        );
        continue;
      }
      const located = await locateImages(result.imageNames ?? [], item.images ?? [], plan, images);
      if (located.missing.length > 0) {
        for (const name of located.missing) {
          report(
            {
              code: 'missing-image',
              field: plan.imageField,
              message: `image "${name}" not found under ${plan.imageRoot}`,
            },
            entry,
            'error',
            item.id,
          );
        }
        continue;
      }
      // Fallback ids (file stem and line) are unique by construction: only the dataset's own ids
      // are remembered, so memory stays flat on files without ids.
      if (item.id !== context.fallbackId) seenIds.set(item.id, entry.line ?? entry.ordinal);
      for (const draft of result.problems) report(draft, entry, 'warning', item.id);
      if (located.images.length > 0) item.images = located.images;
      // Items re-read from medistill's own files keep the source they were first read from.
      if (item.source === undefined) {
        item.source = { file: plan.file, ...(entry.line === undefined ? {} : { line: entry.line }) };
        if (item.id !== context.fallbackId) item.source.sourceId = item.id;
      }
      items += 1;
      yield item;
    }
    if (records === 0) {
      reporter.report({
        code: 'empty-file',
        severity: 'error',
        file: plan.file,
        message: 'the file holds no records',
      });
    }
  } finally {
    await images.close();
  }
}

async function locateImages(
  names: string[],
  existing: ImageRef[],
  plan: DatasetPlan,
  library: ImageLibrary,
): Promise<{ images: ImageRef[]; missing: string[] }> {
  const images: ImageRef[] = [];
  const missing: string[] = [];
  for (const image of existing) {
    if (await library.exists(image)) images.push(image);
    else missing.push('path' in image ? image.path : `${image.zipPath}!${image.entry}`);
  }
  for (const name of names) {
    const image = await library.locate(name, plan.imageRoot);
    if (image) images.push(image);
    else missing.push(name);
  }
  return { images, missing };
}
