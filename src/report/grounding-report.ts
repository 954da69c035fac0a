import { z } from 'zod';
import { count, differenceIntervalSchema, proportion, proportionIntervalSchema } from './schema-parts.js';

/*
 * The visual-grounding analysis as the run report holds it: the summary of
 * `runGroundingAnalysis` (src/vision/grounding.ts), without its per-item replies, and a few test
 * films with what the student said. The vision layer builds on the report, not the other way
 * round, so the shape is declared here; a GroundingResult fits it as it is.
 */

/** The four ways each film is asked, in the order tables and charts show them. */
const conditionSchema = z.enum(['real-image', 'blank-image', 'other-image', 'no-image']);

/** Accuracy under one condition, with what explains a low score (unreadable replies, failed calls). */
export const groundingConditionRowSchema = z.strictObject({
  condition: conditionSchema,
  n: count,
  correct: count,
  accuracy: proportion,
  /** Wilson 95% interval. */
  ci95: proportionIntervalSchema,
  unanswered: count,
  failed: count,
  meanPromptTokens: z.number().nonnegative(),
});

/** The real image against one control, item by item. */
export const groundingComparisonSchema = z.strictObject({
  condition: conditionSchema.exclude(['real-image']),
  onlyRealCorrect: count,
  onlyControlCorrect: count,
  /** accuracy(real) - accuracy(control). */
  difference: z.number().min(-1).max(1),
  /** Paired percentile-bootstrap interval of the difference. */
  differenceCi95: differenceIntervalSchema,
  /** Two-sided exact McNemar p-value, and Holm-adjusted over the three controls. */
  pValue: proportion,
  pValueHolm: proportion,
});

const keyCounts = z.record(z.string(), count);

/** The floors: always the most frequent option key, always the most frequent label. */
const positionPriorSchema = z.strictObject({
  answerKeyCounts: keyCounts,
  mostFrequentKey: z.string(),
  accuracy: proportion,
  ci95: proportionIntervalSchema,
  chanceAccuracy: proportion,
  predictedKeyCounts: keyCounts,
  fittedOn: z.enum(['evaluated-items', 'reference-items']),
  n: count,
});

const majoritySchema = z.strictObject({
  label: z.string(),
  accuracy: proportion,
  ci95: proportionIntervalSchema,
  n: count,
});

export const groundingSummarySchema = z.strictObject({
  n: count,
  conditions: z.array(groundingConditionRowSchema),
  comparisons: z.array(groundingComparisonSchema),
  positionPrior: positionPriorSchema.nullable(),
  majority: majoritySchema.nullable(),
});

/**
 * A test film with what the student said about it. The image is referenced, not embedded: the
 * HTML renderer reads it when it renders, so results.json stays small and the page stays one file.
 */
export const groundingExampleSchema = z.strictObject({
  itemId: z.string().min(1),
  /** The film, relative to the run directory (or absolute). */
  imagePath: z.string().min(1),
  question: z.string(),
  /** The options as shown, e.g. "A. left pneumothorax". */
  options: z.array(z.string()),
  /** The right answer as shown to a reader. */
  reference: z.string(),
  /** The scene description the teacher read (the student never did). */
  caption: z.string().optional(),
  /** The student's full reply: rationale and answer. */
  reply: z.string(),
  correct: z.boolean(),
});

export const groundingReportSchema = z.strictObject({
  /** Who was analysed, as the headings name it, e.g. "the CoT-VL student". */
  subject: z.string().min(1),
  modelId: z.string(),
  /** Seed of the other-image derangement. */
  seed: z.number().int(),
  /** Items left out, and why. */
  excluded: z.strictObject({ openEnded: count, withoutImages: count, imageProblems: count }),
  summary: groundingSummarySchema,
  examples: z.array(groundingExampleSchema).default([]),
});

export type GroundingReport = z.infer<typeof groundingReportSchema>;
export type GroundingReportInput = z.input<typeof groundingReportSchema>;
export type GroundingReportSummary = z.infer<typeof groundingSummarySchema>;
export type GroundingConditionName = z.infer<typeof conditionSchema>;
export type GroundingExample = z.infer<typeof groundingExampleSchema>;
