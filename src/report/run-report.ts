import { z } from 'zod';
import { deployReportSchema } from './deploy-report.js';
import { groundingReportSchema } from './grounding-report.js';
import { count, differenceIntervalSchema, proportion, proportionIntervalSchema } from './schema-parts.js';

/*
 * The input of every report: what a run measured, in one typed, validated object. The eval CLI
 * and the methods pipeline fill it and write it as `<run-dir>/results.json`; the renderers and
 * `compareRuns` read only this. Strict, because we write it ourselves: a misspelt field is a bug.
 */

export const reliabilityBinSchema = z
  .object({
    lower: proportion,
    upper: proportion,
    count,
    meanConfidence: proportion.nullable(),
    accuracy: proportion.nullable(),
  })
  .strict();

export const subjectRowSchema = z
  .object({
    subject: z.string(),
    n: count,
    correct: count,
    accuracy: proportion,
    ci95: proportionIntervalSchema,
  })
  .strict();

/** One item's result under one strategy: what pairs runs item by item and feeds the error browser. */
export const outcomeSchema = z
  .object({
    itemId: z.string().min(1),
    correct: z.boolean(),
    /** The extracted answer (key, yes/no/maybe, text); null when none could be read. */
    prediction: z.string().nullable(),
    /** The probability the model gave its chosen option, where known (log-likelihood scoring). */
    confidence: proportion.optional(),
    /** The student's full reply (generation modes). */
    rawOutput: z.string().optional(),
    /** The teacher's corrective chain for this item (MedThink stage 2), where one was written. */
    correctiveChain: z.string().optional(),
    error: z.string().optional(),
  })
  .strict();

export const strategyResultSchema = z
  .object({
    /** The distillation strategy or model, e.g. "answer-only", "medthink-stage-2", "teacher". */
    name: z.string().min(1),
    seed: z.number().int().optional(),
    model: z.string().optional(),
    mode: z.string().optional(),
    n: count,
    correct: count,
    accuracy: proportion,
    ci95: proportionIntervalSchema,
    failed: count.optional(),
    unanswered: count.optional(),
    accNorm: z.object({ accuracy: proportion, ci95: proportionIntervalSchema }).strict().optional(),
    /** The same model scored by log-likelihood over the options, beside a generated-answer accuracy. */
    loglik: z
      .object({ n: count, correct: count, accuracy: proportion, ci95: proportionIntervalSchema })
      .strict()
      .optional(),
    ece: z.number().nonnegative().optional(),
    reliability: z.array(reliabilityBinSchema).optional(),
    perSubject: z.array(subjectRowSchema).optional(),
    notes: z.string().optional(),
    outcomes: z.array(outcomeSchema).optional(),
  })
  .strict()
  .refine((strategy) => strategy.correct <= strategy.n, { message: 'correct exceeds n', path: ['correct'] });

/** Two strategies on the same items: paired exact McNemar, Holm-adjusted across the report's comparisons. */
export const comparisonSchema = z
  .object({
    /** Strategy labels, as {@link strategyLabel} writes them. */
    a: z.string().min(1),
    b: z.string().min(1),
    n: count,
    bothCorrect: count,
    onlyACorrect: count,
    onlyBCorrect: count,
    bothWrong: count,
    accuracyA: proportion,
    accuracyB: proportion,
    difference: z.number().min(-1).max(1),
    differenceCi95: differenceIntervalSchema,
    pValue: proportion,
    pValueHolm: proportion.optional(),
  })
  .strict();

/**
 * One strategy over several seeds: per-seed accuracies, their mean and spread, and the interval
 * on the mean by the run's seed-aware method (the seeds never count as extra items).
 */
export const seedSummarySchema = z
  .object({
    name: z.string().min(1),
    seeds: z.array(z.object({ seed: z.number().int(), accuracy: proportion }).strict()).min(1),
    mean: proportion,
    /** Sample standard deviation of the per-seed accuracies. */
    sd: z.number().nonnegative(),
    min: proportion,
    max: proportion,
    ci95: proportionIntervalSchema,
    /** Independent items the interval's variance corresponds to. */
    effectiveItems: z.number().nonnegative().optional(),
  })
  .strict();

/** Two strategies compared over seeds on per-item mean correctness (or within per-seed draws). */
export const seedComparisonSchema = z
  .object({
    a: z.string().min(1),
    b: z.string().min(1),
    seeds: count,
    /** Test units: items (shared across seeds) or (seed, item) pairs of per-seed draws. */
    units: count,
    aBetter: count,
    bBetter: count,
    difference: z.number().min(-1).max(1),
    differenceCi95: differenceIntervalSchema,
    pValue: proportion,
    pValueHolm: proportion.optional(),
  })
  .strict();

/** How seeds relate to items, and the methods behind the seed summaries and comparisons. */
export const seedStatisticsSchema = z
  .object({
    design: z.enum(['single-seed', 'shared-items', 'per-seed-draws']),
    accuracyMethod: z.string().min(1),
    comparisonMethod: z.string().min(1),
  })
  .strict();

/** A reference line: position prior, majority class, chance, the teacher, a published number. */
export const baselineSchema = z
  .object({
    name: z.string().min(1),
    accuracy: proportion,
    ci95: proportionIntervalSchema.optional(),
    note: z.string().optional(),
  })
  .strict();

export const trainingPointSchema = z
  .object({
    step: count,
    loss: z.number().finite(),
    epoch: z.number().nonnegative().optional(),
    validationLoss: z.number().finite().optional(),
  })
  .strict();

export const trainingHistorySchema = z
  .object({
    /** The strategy label the history belongs to. */
    strategy: z.string().min(1),
    /** E.g. "stage 1", "stage 2". */
    stage: z.string().optional(),
    points: z.array(trainingPointSchema),
  })
  .strict();

/** The content of an item, shared by all strategies' outcomes. */
export const itemRecordSchema = z
  .object({
    itemId: z.string().min(1),
    question: z.string(),
    options: z.array(z.object({ key: z.string(), text: z.string() }).strict()).optional(),
    /** The right answer as shown to a reader, e.g. "C. Amiloride". */
    reference: z.string(),
    /** The right option's key, for multiple choice. */
    answerKey: z.string().optional(),
    subject: z.string().optional(),
    /** The teacher's explanation or knowledge points for the item. */
    teacherExplanation: z.string().optional(),
  })
  .strict();

/** Reviewer decisions on teacher texts the run found, and how many reached its training data. */
export const reviewSummarySchema = z
  .object({
    /** Distinct items with a decision. */
    items: count,
    accepted: count,
    edited: count,
    rejected: count,
    /** Decisions whose text the run met and applied. */
    applied: count,
    /** Decisions about a text the run no longer produced. */
    stale: count,
  })
  .strict();

export const runReportSchema = z
  .object({
    schemaVersion: z.literal(1),
    title: z.string().min(1),
    /** ISO 8601 time the run finished. */
    createdAt: z.string().min(1),
    description: z.string().optional(),
    /** One line on what the run's models sent where (medistill audit has the detail). */
    egress: z.string().optional(),
    dataset: z
      .object({
        name: z.string(),
        path: z.string().optional(),
        split: z.string().optional(),
        itemCount: count.optional(),
      })
      .strict()
      .optional(),
    strategies: z.array(strategyResultSchema).min(1),
    comparisons: z.array(comparisonSchema).default([]),
    baselines: z.array(baselineSchema).default([]),
    trainingHistories: z.array(trainingHistorySchema).default([]),
    items: z.array(itemRecordSchema).default([]),
    /** Several seeds: the design and methods, per-strategy summaries and seed-aware comparisons (absent in older reports). */
    seedStatistics: seedStatisticsSchema.optional(),
    seedSummaries: z.array(seedSummarySchema).optional(),
    seedComparisons: z.array(seedComparisonSchema).optional(),
    deploy: deployReportSchema.optional(),
    /** The visual-grounding analysis of a vision student, with a few of its test films (vision runs). */
    grounding: groundingReportSchema.optional(),
    /** Present when reviewers' decisions (medistill view) were applied to the run's training data. */
    review: reviewSummarySchema.optional(),
  })
  .strict()
  .superRefine((report, context) => {
    const labels = new Set<string>();
    report.strategies.forEach((strategy, index) => {
      const label = strategyLabel(strategy);
      if (labels.has(label))
        context.addIssue({
          code: 'custom',
          message: `duplicate strategy ${label}`,
          path: ['strategies', index, 'name'],
        });
      labels.add(label);
      const ids = new Set<string>();
      strategy.outcomes?.forEach((outcome, outcomeIndex) => {
        if (ids.has(outcome.itemId)) {
          context.addIssue({
            code: 'custom',
            message: `duplicate outcome for item ${outcome.itemId}`,
            path: ['strategies', index, 'outcomes', outcomeIndex, 'itemId'],
          });
        }
        ids.add(outcome.itemId);
      });
    });
    report.comparisons.forEach((comparison, index) => {
      for (const side of ['a', 'b'] as const) {
        if (!labels.has(comparison[side])) {
          context.addIssue({
            code: 'custom',
            message: `unknown strategy ${comparison[side]}`,
            path: ['comparisons', index, side],
          });
        }
      }
    });
    report.trainingHistories.forEach((history, index) => {
      if (!labels.has(history.strategy)) {
        context.addIssue({
          code: 'custom',
          message: `unknown strategy ${history.strategy}`,
          path: ['trainingHistories', index, 'strategy'],
        });
      }
    });
  });

/** A validated run report (defaults applied). */
export type RunReport = z.infer<typeof runReportSchema>;
/** What producers write: optional lists may be left out. */
export type RunReportInput = z.input<typeof runReportSchema>;
export type StrategyResult = z.infer<typeof strategyResultSchema>;
export type Outcome = z.infer<typeof outcomeSchema>;
export type Comparison = z.infer<typeof comparisonSchema>;
export type Baseline = z.infer<typeof baselineSchema>;
export type TrainingHistory = z.infer<typeof trainingHistorySchema>;
export type ItemRecord = z.infer<typeof itemRecordSchema>;
export type SeedSummary = z.infer<typeof seedSummarySchema>;
export type SeedComparison = z.infer<typeof seedComparisonSchema>;
export type ReviewSummaryReport = z.infer<typeof reviewSummarySchema>;

/** How a strategy is named in comparisons and charts: its name, with the seed when there is one. */
export function strategyLabel(strategy: Pick<StrategyResult, 'name' | 'seed'>): string {
  return strategy.seed === undefined ? strategy.name : `${strategy.name} (seed ${strategy.seed})`;
}
