import { z } from 'zod';
import type { RecordContext, RecordResult } from './record-result.js';
import { optionalItemFields, optionalText, parseRecord, rejected } from './record-result.js';

/** One QA pair of the official `VQA_RAD Dataset Public.json`. */
export const vqaRadRecordSchema = z.object({
  qid: z.union([z.string(), z.number()]),
  image_name: z.string().trim().min(1),
  question: z.string().trim().min(1),
  answer: z.union([z.string(), z.number()]),
  answer_type: z.string(),
  phrase_type: z.string().nullish(),
  image_organ: z.string().nullish(),
  question_type: z.string().nullish(),
});

const YES_NO = new Set(['yes', 'no']);

/**
 * Convert a VQA-RAD pair. The split is the official one from `phrase_type` (test_freeform and
 * test_para are test, freeform and para train). The organ becomes the subject, the question
 * type the topic.
 *
 * Decision: CLOSED questions answered yes or no become `yes-no-maybe` items with no context, so
 * they are scored exactly as the literature's closed-set accuracy does, without a judge.
 * Every other pair, including the ~100 CLOSED ones answered with a word ("left", "MRI"), is
 * open-ended with the answer as reference text, scored by matching or by a judge.
 */
export function convertVqaRadRecord(value: unknown, context: RecordContext): RecordResult {
  const parsed = parseRecord(vqaRadRecordSchema, value);
  if ('problems' in parsed) return { problems: parsed.problems };
  const record = parsed.data;
  const answer = String(record.answer).trim();
  if (answer === '')
    return rejected({ code: 'missing-field', field: 'answer', message: 'the answer is empty' });
  const closed = record.answer_type.trim().toUpperCase() === 'CLOSED';
  const phrase = record.phrase_type?.trim().toLowerCase();
  const fields = optionalItemFields({
    subject: optionalText(record.image_organ),
    topic: optionalText(record.question_type),
    split: phrase === undefined ? context.defaultSplit : phrase.startsWith('test') ? 'test' : 'train',
  });
  const id = optionalText(record.qid) ?? context.fallbackId;
  const lowered = answer.toLowerCase();
  const item =
    closed && YES_NO.has(lowered)
      ? {
          kind: 'yes-no-maybe' as const,
          id,
          question: record.question,
          context: [],
          answer: lowered as 'yes' | 'no',
          ...fields,
        }
      : { kind: 'open-ended' as const, id, question: record.question, referenceAnswer: answer, ...fields };
  return { item, problems: [], imageNames: [record.image_name] };
}
