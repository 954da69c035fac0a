import { z } from 'zod';
import { multipleChoiceResult } from './multiple-choice.js';
import type { RecordContext, RecordResult } from './record-result.js';
import { optionalItemFields, optionalText, parseRecord } from './record-result.js';

/** PMC-VQA CSV: Figure_path, Question, Answer, Choice A..D (each "A:..."), Answer_label, optional Caption. */
export const pmcVqaRowSchema = z.object({
  Figure_path: z.string().trim().min(1),
  Question: z.string().trim().min(1),
  Answer: z.string().optional(),
  'Choice A': z.string(),
  'Choice B': z.string(),
  'Choice C': z.string(),
  'Choice D': z.string(),
  Answer_label: z.string().trim().min(1),
  Caption: z.string().optional(),
  split: z.string().optional(),
});

const CHOICE_PREFIX = /^\s*[A-D]\s*[:.)]\s*/;

/**
 * Convert a PMC-VQA row. The caption (v2 files) is kept on the item but never put in the default
 * prompt: LiteMedCoT-VL's setting withholds it. The Answer text is not checked against the
 * choice, since the published files differ in spacing and punctuation throughout.
 */
export function convertPmcVqaRow(value: unknown, context: RecordContext): RecordResult {
  const parsed = parseRecord(pmcVqaRowSchema, value);
  if ('problems' in parsed) return { problems: parsed.problems };
  const row = parsed.data;
  const choices = [row['Choice A'], row['Choice B'], row['Choice C'], row['Choice D']];
  const options = choices.map((text, position) => ({
    key: 'ABCD'.charAt(position),
    text: text.replace(CHOICE_PREFIX, '').trim(),
  }));
  const result = multipleChoiceResult({
    id: context.fallbackId,
    question: row.Question,
    options,
    answerKey: row.Answer_label.toUpperCase(),
    answerField: 'Answer_label',
    fields: optionalItemFields({
      caption: optionalText(row.Caption),
      split: optionalText(row.split) ?? context.defaultSplit,
    }),
  });
  return { ...result, imageNames: [row.Figure_path] };
}
