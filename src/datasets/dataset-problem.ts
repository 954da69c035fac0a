import { InputError } from '../errors.js';

/**
 * Problems found while reading a dataset are data, not exceptions: each names the file, the line
 * (or record number where a format has no lines) and the field, so the user can fix the source.
 */
export type DatasetProblemCode =
  | 'malformed-record'
  | 'missing-field'
  | 'invalid-value'
  | 'unknown-answer'
  | 'answer-out-of-range'
  | 'answer-text-mismatch'
  | 'duplicate-id'
  | 'missing-image'
  | 'image-too-large'
  | 'unsupported'
  | 'empty-file';

/** `error`: the item at this location was not loaded. `warning`: it was loaded, but look at it. */
export type DatasetProblemSeverity = 'error' | 'warning';

export interface DatasetProblem {
  code: DatasetProblemCode;
  severity: DatasetProblemSeverity;
  file: string;
  line?: number;
  /** 1-based record number in the file, for formats without meaningful lines (Parquet). */
  record?: number;
  field?: string;
  itemId?: string;
  message: string;
}

/** A problem before it is placed in a file: what a record converter knows. */
export interface ProblemDraft {
  code: DatasetProblemCode;
  field?: string;
  message: string;
}

/** One line of text for a problem: `file:line (field "x"): message`. */
export function formatProblem(problem: DatasetProblem): string {
  let location = problem.file;
  if (problem.line !== undefined) location += `:${problem.line}`;
  else if (problem.record !== undefined) location += ` record ${problem.record}`;
  if (problem.field !== undefined) location += ` (field "${problem.field}")`;
  return `${location}: ${problem.severity}: ${problem.message}`;
}

export interface ProblemReporterOptions {
  /** Make the first problem (error or warning) fatal: it is thrown as an InputError. */
  strict?: boolean;
  onProblem?: (problem: DatasetProblem) => void;
}

/** Routes problems to the caller, or throws the first one in strict mode. One per load. */
export class ProblemReporter {
  errors = 0;
  warnings = 0;
  readonly #strict: boolean;
  readonly #onProblem: ((problem: DatasetProblem) => void) | undefined;

  constructor(options: ProblemReporterOptions) {
    this.#strict = options.strict ?? false;
    this.#onProblem = options.onProblem;
  }

  report(problem: DatasetProblem): void {
    if (this.#strict) {
      const location: { file: string; line?: number; field?: string } = { file: problem.file };
      if (problem.line !== undefined) location.line = problem.line;
      if (problem.field !== undefined) location.field = problem.field;
      const where =
        problem.line === undefined && problem.record !== undefined ? `record ${problem.record}: ` : '';
      throw new InputError(`${where}${problem.message}`, location);
    }
    if (problem.severity === 'error') this.errors += 1;
    else this.warnings += 1;
    this.#onProblem?.(problem);
  }
}
