import { z } from 'zod';
import type { Option } from '../item.js';
import { multipleChoiceResult } from './multiple-choice.js';
import type { RecordContext, RecordResult } from './record-result.js';
import { asText, optionalItemFields, optionalText, parseRecord, rejected } from './record-result.js';

const textOrNumber = z.union([z.string(), z.number()]);

/** MedQA-USMLE and normalised MedMCQA: {question, options {A..}, answer_idx, answer, meta_info | realidx}. */
export const medqaRecordSchema = z.object({
  question: z.string().trim().min(1),
  options: z.union([z.record(z.string(), textOrNumber), z.array(textOrNumber)]),
  answer_idx: textOrNumber,
  answer: textOrNumber.nullish(),
  meta_info: z.string().nullish(),
  realidx: textOrNumber.nullish(),
  id: textOrNumber.nullish(),
  subject_name: z.string().nullish(),
  topic_name: z.string().nullish(),
  exp: z.string().nullish(),
  split: z.string().nullish(),
});

/**
 * Convert a MedQA-style record. `meta_info` (MedQA's exam step, e.g. "step1") becomes the topic.
 * Options given as an array are lettered A, B, C... in order.
 */
export function convertMedqaRecord(value: unknown, context: RecordContext): RecordResult {
  const parsed = parseRecord(medqaRecordSchema, value);
  if ('problems' in parsed) return { problems: parsed.problems };
  const record = parsed.data;
  const options: Option[] = Array.isArray(record.options)
    ? record.options.map((text, index) => ({
        key: String.fromCharCode(65 + index),
        text: String(text).trim(),
      }))
    : Object.entries(record.options).map(([key, text]) => ({ key: key.trim(), text: String(text).trim() }));
  if (options.length < 2) {
    return rejected({
      code: 'invalid-value',
      field: 'options',
      message: `expected at least 2 options, found ${options.length}`,
    });
  }
  return multipleChoiceResult({
    id: optionalText(record.realidx) ?? optionalText(record.id) ?? context.fallbackId,
    question: record.question,
    options,
    answerKey: asText(record.answer_idx) ?? '',
    answerField: 'answer_idx',
    answerText: optionalText(record.answer),
    fields: optionalItemFields({
      subject: optionalText(record.subject_name),
      topic: optionalText(record.topic_name) ?? optionalText(record.meta_info),
      explanation: optionalText(record.exp),
      split: optionalText(record.split) ?? context.defaultSplit,
    }),
  });
}
