/**
 * One top-level record read from a container file, or why it could not be read. `ordinal` is the
 * 1-based record number; `line` the line the record starts on, where the container has lines.
 */
export type SourceEntry = {
  ordinal: number;
  line?: number;
  /** The member name, for JSON documents keyed by id (PubMedQA). */
  key?: string;
} & ({ value: unknown } | { error: string });
