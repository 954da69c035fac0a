import { z } from 'zod';

/**
 * One item model for every dataset medistill reads: multiple choice (MedQA, MedMCQA, MMLU,
 * PMC-VQA), open-ended with a reference answer (MedThink's data, VQA-RAD open questions) and
 * yes/no/maybe with context (PubMedQA). Loaders produce these; methods and evaluation consume them.
 */

/** An image an item refers to: a file on disk, or an entry inside a zip archive. */
export const imageRefSchema = z.union([
  z.object({ path: z.string().min(1) }).strict(),
  z.object({ zipPath: z.string().min(1), entry: z.string().min(1) }).strict(),
]);
export type ImageRef = z.infer<typeof imageRefSchema>;

/** Where an item came from, so every problem and prediction can point back to the source line. */
export const itemSourceSchema = z.object({
  file: z.string(),
  line: z.number().int().positive().optional(),
  /** The id the dataset itself uses (MedMCQA realidx, PubMed id, VQA-RAD qid). */
  sourceId: z.string().optional(),
});

const baseFields = {
  id: z.string().min(1),
  question: z.string().min(1),
  images: z.array(imageRefSchema).optional(),
  subject: z.string().optional(),
  topic: z.string().optional(),
  split: z.string().optional(),
  source: itemSourceSchema.optional(),
  /** An explanation shipped with the dataset (MedMCQA `exp`), never shown to the student at test time. */
  explanation: z.string().optional(),
  /** A caption shipped with the dataset (PMC-VQA v2); withheld from models unless the user asks. */
  caption: z.string().optional(),
};

export const optionSchema = z.object({ key: z.string().min(1), text: z.string() });
export type Option = z.infer<typeof optionSchema>;

export const multipleChoiceItemSchema = z
  .object({
    kind: z.literal('multiple-choice'),
    ...baseFields,
    options: z.array(optionSchema).min(2),
    answerKey: z.string().min(1),
  })
  .refine((item) => item.options.some((option) => option.key === item.answerKey), {
    message: 'answerKey is not one of the option keys',
    path: ['answerKey'],
  });

export const openEndedItemSchema = z.object({
  kind: z.literal('open-ended'),
  ...baseFields,
  referenceAnswer: z.string().min(1),
});

export const yesNoMaybeItemSchema = z.object({
  kind: z.literal('yes-no-maybe'),
  ...baseFields,
  context: z.array(z.string()),
  answer: z.enum(['yes', 'no', 'maybe']),
  longAnswer: z.string().optional(),
});

export const itemSchema = z.union([multipleChoiceItemSchema, openEndedItemSchema, yesNoMaybeItemSchema]);

export type MultipleChoiceItem = z.infer<typeof multipleChoiceItemSchema>;
export type OpenEndedItem = z.infer<typeof openEndedItemSchema>;
export type YesNoMaybeItem = z.infer<typeof yesNoMaybeItemSchema>;
export type Item = z.infer<typeof itemSchema>;

/** The reference answer as text, whatever the item kind (what a judge compares against). */
export function referenceAnswerText(item: Item): string {
  switch (item.kind) {
    case 'multiple-choice': {
      const option = item.options.find((candidate) => candidate.key === item.answerKey);
      return option ? `${item.answerKey}. ${option.text}` : item.answerKey;
    }
    case 'open-ended':
      return item.referenceAnswer;
    case 'yes-no-maybe':
      return item.answer;
  }
}
