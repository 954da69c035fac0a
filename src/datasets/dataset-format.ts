import { z } from 'zod';

/**
 * The dataset layouts medistill reads. Record formats (MedQA, MedMCQA, conversations, messages,
 * generic) are read from whichever container the file extension names: JSONL, a JSON array,
 * CSV with a header, or Parquet.
 */
export const datasetFormatSchema = z.enum([
  'medqa',
  'medmcqa',
  'pubmedqa',
  'mmlu',
  'conversations',
  'openai-messages',
  'vqa-rad',
  'pmc-vqa',
  'generic',
  'medistill-items',
]);
export type DatasetFormat = z.infer<typeof datasetFormatSchema>;

/** The physical container of a record format. */
export type RecordContainer = 'jsonl' | 'json' | 'csv' | 'parquet';

/**
 * Which columns hold what, for the `generic` format (and to override the defaults of others).
 * Without `options`/`optionColumns` the items are open-ended, with `answer` as the reference.
 */
export const columnMappingSchema = z
  .object({
    question: z.string().min(1),
    answer: z.string().min(1),
    /** One column per option; keys are A, B, C... in the order given. */
    optionColumns: z.array(z.string().min(1)).min(2).optional(),
    /** One column holding all options: an object {A: text} or an array of texts. */
    options: z.string().min(1).optional(),
    /** How the answer column names the correct option. Default `letter`. */
    answerFormat: z.enum(['letter', 'index0', 'index1', 'text']).optional(),
    id: z.string().min(1).optional(),
    subject: z.string().min(1).optional(),
    topic: z.string().min(1).optional(),
    split: z.string().min(1).optional(),
    explanation: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    image: z.string().min(1).optional(),
  })
  .strict();
export type ColumnMapping = z.infer<typeof columnMappingSchema>;

/** The container a file's extension names; undefined for unknown extensions. */
export function containerForPath(path: string): RecordContainer | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}
