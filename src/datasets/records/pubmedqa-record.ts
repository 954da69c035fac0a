import { z } from 'zod';
import type { RecordContext, RecordResult } from './record-result.js';
import { optionalItemFields, optionalText, parseRecord, rejected } from './record-result.js';

/** One member of PubMedQA's `ori_pqal.json`, keyed by PubMed id. */
export const pubmedqaRecordSchema = z.object({
  QUESTION: z.string().trim().min(1),
  CONTEXTS: z.array(z.string()),
  LABELS: z.array(z.string()).optional(),
  MESHES: z.array(z.string()).optional(),
  YEAR: z.union([z.string(), z.number()]).nullish(),
  final_decision: z.string(),
  LONG_ANSWER: z.string().nullish(),
});

const ANSWERS = new Set(['yes', 'no', 'maybe']);

/**
 * Convert a PubMedQA record. The id is the PubMed id (the member name); the split is `test` for
 * the 500 official test ids and `train` for the rest, when the ground-truth file was found.
 */
export function pubmedqaConverter(testIds: ReadonlySet<string> | undefined) {
  return (value: unknown, context: RecordContext): RecordResult => {
    const parsed = parseRecord(pubmedqaRecordSchema, value);
    if ('problems' in parsed) return { problems: parsed.problems };
    const record = parsed.data;
    const answer = record.final_decision.trim().toLowerCase();
    if (!ANSWERS.has(answer)) {
      return rejected({
        code: 'unknown-answer',
        field: 'final_decision',
        message: `final_decision "${record.final_decision}" is not yes, no or maybe`,
      });
    }
    const id = context.key ?? context.fallbackId;
    const split = testIds === undefined ? context.defaultSplit : testIds.has(id) ? 'test' : 'train';
    const longAnswer = optionalText(record.LONG_ANSWER);
    return {
      item: {
        kind: 'yes-no-maybe',
        id,
        question: record.QUESTION,
        context: record.CONTEXTS,
        answer: answer as 'yes' | 'no' | 'maybe',
        ...(longAnswer === undefined ? {} : { longAnswer }),
        ...optionalItemFields({ split }),
      },
      problems: [],
    };
  };
}
