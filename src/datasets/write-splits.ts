import { join } from 'node:path';
import { writeFileAtomically } from '../util/atomic-write.js';
import type { ContaminationHit } from './contamination.js';
import { findContamination } from './contamination.js';
import type { DuplicateItem } from './deduplicate.js';
import { deduplicateItems } from './deduplicate.js';
import { writeItemsJsonl } from './export/items-jsonl.js';
import type { Item } from './item.js';
import type { SplitItems, SplitOptions } from './split-items.js';
import { splitItems, stratumOf } from './split-items.js';

export interface SplitReport {
  seed: number | string;
  stratify: string;
  input: number;
  duplicatesRemoved: DuplicateItem[];
  counts: Record<keyof SplitItems, number>;
  /** Items per stratum per split, to see that the strata kept their shares. */
  strata: Record<string, Record<keyof SplitItems, number>>;
  /** Items of a later split sharing 13-grams with an earlier one (test vs train, ...). */
  contamination: Record<string, ContaminationHit[]>;
  files: string[];
}

/**
 * Deduplicate, split and write `train.jsonl`, `validation.jsonl` (when asked for) and
 * `test.jsonl` as medistill items, with `split-report.json`: counts, strata, removed duplicates
 * and an n-gram contamination check between the splits.
 */
export async function writeSplits(
  items: readonly Item[],
  folder: string,
  options: SplitOptions,
): Promise<SplitReport> {
  const stratify = options.stratify ?? 'answer';
  const unique = deduplicateItems(items);
  const splits = splitItems(unique.items, options);
  const names = (['train', 'validation', 'test'] as const).filter(
    (name) => name !== 'validation' || (options.validation ?? 0) > 0,
  );
  const files: string[] = [];
  const strata: SplitReport['strata'] = {};
  for (const name of names) {
    for (const item of splits[name]) {
      const key = stratumOf(item, stratify).replace('\u0000', ' / ');
      strata[key] ??= { train: 0, validation: 0, test: 0 };
      strata[key][name] += 1;
    }
    const file = join(folder, `${name}.jsonl`);
    await writeItemsJsonl(
      splits[name].map((item) => ({ ...item, split: name })),
      file,
    );
    files.push(file);
  }
  const contamination: SplitReport['contamination'] = {
    'test-vs-train': findContamination(splits.train, splits.test),
  };
  if (names.includes('validation')) {
    contamination['validation-vs-train'] = findContamination(splits.train, splits.validation);
    contamination['test-vs-validation'] = findContamination(splits.validation, splits.test);
  }
  const report: SplitReport = {
    seed: options.seed,
    stratify,
    input: items.length,
    duplicatesRemoved: unique.duplicates,
    counts: { train: splits.train.length, validation: splits.validation.length, test: splits.test.length },
    strata,
    contamination,
    files,
  };
  const reportFile = join(folder, 'split-report.json');
  report.files.push(reportFile);
  await writeFileAtomically(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
