import { z } from 'zod';
import { convertMedqaRecord } from './medqa-record.js';
import { multipleChoiceResult } from './multiple-choice.js';
import type { RecordContext, RecordConverter, RecordResult } from './record-result.js';
import { optionalItemFields, optionalText, parseRecord, rejected } from './record-result.js';

const textOrNumber = z.union([z.string(), z.number()]);

/** MedMCQA as released: four option columns and `cop`, the correct option's number. */
export const medmcqaOriginalSchema = z.object({
  question: z.string().trim().min(1),
  opa: textOrNumber,
  opb: textOrNumber,
  opc: textOrNumber,
  opd: textOrNumber,
  cop: textOrNumber,
  id: textOrNumber.nullish(),
  subject_name: z.string().nullish(),
  topic_name: z.string().nullish(),
  exp: z.string().nullish(),
  choice_type: z.string().nullish(),
});

/**
 * How `cop` counts: 1 means option A in the original GitHub release (`cop` 1-4); the Hugging
 * Face dump (`openlifescienceai/medmcqa`, Parquet) counts from 0 (0-3) and marks its unlabelled
 * test split with -1. Neither can be told apart from a single record, so it is a setting.
 */
export type CopBase = 0 | 1;

/**
 * A converter for MedMCQA in either layout: the original (opa..opd, cop) or the normalised one
 * ({question, options {A..D}, answer_idx, answer, realidx}).
 */
export function medmcqaConverter(copBase: CopBase): RecordConverter {
  return (value, context) => {
    if (typeof value === 'object' && value !== null && 'opa' in value) {
      return convertOriginal(value, context, copBase);
    }
    return convertMedqaRecord(value, context);
  };
}

function convertOriginal(value: unknown, context: RecordContext, copBase: CopBase): RecordResult {
  const parsed = parseRecord(medmcqaOriginalSchema, value);
  if ('problems' in parsed) return { problems: parsed.problems };
  const record = parsed.data;
  const cop = Number(record.cop);
  const index = cop - copBase;
  if (!Number.isInteger(cop) || index < 0 || index > 3) {
    const range = copBase === 1 ? '1-4' : '0-3';
    return rejected({
      code: 'answer-out-of-range',
      field: 'cop',
      message: `cop ${String(record.cop)} is outside ${range} (cop counts from ${copBase}; set the MedMCQA cop base to ${1 - copBase} for dumps that count from ${1 - copBase})`,
    });
  }
  const options = [record.opa, record.opb, record.opc, record.opd].map((text, position) => ({
    key: 'ABCD'.charAt(position),
    text: String(text).trim(),
  }));
  return multipleChoiceResult({
    id: optionalText(record.id) ?? context.fallbackId,
    question: record.question,
    options,
    answerKey: 'ABCD'.charAt(index),
    answerField: 'cop',
    fields: optionalItemFields({
      subject: optionalText(record.subject_name),
      topic: optionalText(record.topic_name),
      explanation: optionalText(record.exp),
      split: context.defaultSplit,
    }),
  });
}
