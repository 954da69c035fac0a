import type { z } from 'zod';
import type { ProblemDraft } from '../dataset-problem.js';
import type { Item } from '../item.js';

/** What a converter knows about the record it turns into an item. */
export interface RecordContext {
  /** The id to use when the record carries none: `<file stem>:<line>`. */
  fallbackId: string;
  /** The split named by the file name (train, validation, test), if any. */
  defaultSplit?: string;
  /** The member name, for JSON objects keyed by id. */
  key?: string;
}

/**
 * A converter's answer: an item (perhaps with warnings), or no item and the errors that stopped
 * it. `imageNames` are image paths as the record wrote them, resolved by the loader.
 */
export interface RecordResult {
  item?: Item;
  problems: ProblemDraft[];
  imageNames?: string[];
}

export type RecordConverter = (value: unknown, context: RecordContext) => RecordResult;

/** Errors only: the record did not become an item. */
export function rejected(...problems: ProblemDraft[]): RecordResult {
  return { problems };
}

/** Parse a record with a lenient schema; its issues become problems naming the field. */
export function parseRecord<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
): { data: z.infer<Schema> } | { problems: ProblemDraft[] } {
  const result = schema.safeParse(value);
  if (result.success) return { data: result.data };
  return {
    problems: result.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.');
      const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
      const draft: ProblemDraft = {
        code: missing ? 'missing-field' : 'invalid-value',
        message: missing ? `missing required field "${field}"` : issue.message,
      };
      if (field !== '') draft.field = field;
      return draft;
    }),
  };
}

/** Text from a field that some dumps store as a number (answers, ids). */
export function asText(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return String(value).trim();
}

/** Copy a text into an optional item field only when present and non-empty. */
export function optionalText(value: string | number | null | undefined): string | undefined {
  const text = asText(value);
  return text === undefined || text === '' ? undefined : text;
}

/** The optional fields every item kind shares. */
export type OptionalItemFields = Partial<
  Pick<Item, 'subject' | 'topic' | 'split' | 'explanation' | 'caption' | 'source' | 'images'>
>;

/** Keep only the optional fields that have a value, as exactOptionalPropertyTypes requires. */
export function optionalItemFields(
  fields: { [Key in keyof OptionalItemFields]?: OptionalItemFields[Key] | undefined },
): OptionalItemFields {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) result[key] = value;
  }
  return result as OptionalItemFields;
}

export const OPTION_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
