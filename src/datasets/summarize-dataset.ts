import type { DatasetFormat } from './dataset-format.js';
import type { DatasetProblem, DatasetProblemCode } from './dataset-problem.js';
import { imageKey } from './images/image-library.js';
import type { Item } from './item.js';

/** What `data inspect` reports about a dataset. */
export interface DatasetSummary {
  file: string;
  format: DatasetFormat;
  items: number;
  kinds: Record<string, number>;
  /** How many items have each optional field. */
  fields: Record<string, number>;
  /** Items by number of options (multiple choice only). */
  optionCounts: Record<string, number>;
  /** Items by gold answer: option key, or yes/no/maybe. */
  answers: Record<string, number>;
  subjects: Record<string, number>;
  splits: Record<string, number>;
  /** Distinct images referenced by loaded items (all exist: missing ones stop their item). */
  images: number;
  /** Distinct image names that were not found. */
  imagesMissing: number;
  problemCounts: { errors: number; warnings: number; byCode: Partial<Record<DatasetProblemCode, number>> };
  /** The first problems, in file order (see `problemCounts` for the total). */
  problems: DatasetProblem[];
}

const OPTIONAL_FIELDS = ['subject', 'topic', 'split', 'explanation', 'caption', 'images', 'source'] as const;

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Builds a DatasetSummary from a stream of items and problems, holding only counts. */
export class DatasetSummaryBuilder {
  readonly #summary: Omit<DatasetSummary, 'file' | 'format' | 'images' | 'imagesMissing'>;
  readonly #images = new Set<string>();
  readonly #missingImages = new Set<string>();
  readonly #maxProblems: number;

  constructor(maxProblems = 100) {
    this.#maxProblems = maxProblems;
    this.#summary = {
      items: 0,
      kinds: {},
      fields: {},
      optionCounts: {},
      answers: {},
      subjects: {},
      splits: {},
      problemCounts: { errors: 0, warnings: 0, byCode: {} },
      problems: [],
    };
  }

  addItem(item: Item): void {
    const summary = this.#summary;
    summary.items += 1;
    increment(summary.kinds, item.kind);
    for (const field of OPTIONAL_FIELDS) if (item[field] !== undefined) increment(summary.fields, field);
    if (item.kind === 'multiple-choice') {
      increment(summary.optionCounts, String(item.options.length));
      increment(summary.answers, item.answerKey);
    } else if (item.kind === 'yes-no-maybe') increment(summary.answers, item.answer);
    if (item.subject !== undefined) increment(summary.subjects, item.subject);
    increment(summary.splits, item.split ?? '(none)');
    for (const image of item.images ?? []) this.#images.add(imageKey(image));
  }

  addProblem(problem: DatasetProblem): void {
    const counts = this.#summary.problemCounts;
    if (problem.severity === 'error') counts.errors += 1;
    else counts.warnings += 1;
    counts.byCode[problem.code] = (counts.byCode[problem.code] ?? 0) + 1;
    if (problem.code === 'missing-image') this.#missingImages.add(problem.message);
    if (this.#summary.problems.length < this.#maxProblems) this.#summary.problems.push(problem);
  }

  result(file: string, format: DatasetFormat): DatasetSummary {
    return {
      file,
      format,
      ...this.#summary,
      images: this.#images.size,
      imagesMissing: this.#missingImages.size,
    };
  }
}
