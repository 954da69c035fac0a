import type { Item } from '../datasets/item.js';
import { referenceAnswerText } from '../datasets/item.js';
import type { EvaluationResult } from '../eval/evaluate.js';
import type { EvaluationSummary } from '../eval/evaluation-summary.js';
import type { BootstrapOptions } from '../eval/statistics/bootstrap.js';
import { compareOutcomes, withHolm } from './compare-outcomes.js';
import {
  type Baseline,
  type Comparison,
  type ItemRecord,
  type StrategyResult,
  strategyLabel,
} from './run-report.js';

/*
 * Helpers that turn evaluation results into RunReport parts, so producers (the eval CLI, the
 * methods pipeline) fill the report the same way.
 */

export interface StrategyFromEvaluationOptions {
  seed?: number;
  notes?: string;
  /** Keep each item's full reply (default true; large runs may drop them). */
  includeRawOutput?: boolean;
  /** Teacher corrective chains by item id (MedThink stage 2). */
  correctiveChains?: ReadonlyMap<string, string>;
}

/** One strategy's entry from an evaluation result, outcomes included. */
export function strategyFromEvaluation(
  name: string,
  result: EvaluationResult,
  options: StrategyFromEvaluationOptions = {},
): StrategyResult {
  const { summary } = result;
  return {
    name,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    model: result.modelId,
    mode: result.mode,
    n: summary.n,
    correct: summary.correct,
    accuracy: summary.accuracy,
    ci95: summary.ci95,
    failed: summary.failed,
    unanswered: summary.unanswered,
    ...(summary.accNorm
      ? { accNorm: { accuracy: summary.accNorm.accuracy, ci95: summary.accNorm.ci95 } }
      : {}),
    ...(summary.ece !== undefined ? { ece: summary.ece } : {}),
    ...(summary.reliability ? { reliability: summary.reliability } : {}),
    perSubject: summary.perSubject,
    ...(options.notes !== undefined ? { notes: options.notes } : {}),
    outcomes: result.predictions.map((prediction) => {
      const chain = options.correctiveChains?.get(prediction.id);
      return {
        itemId: prediction.id,
        correct: prediction.correct,
        prediction: prediction.prediction,
        ...(prediction.confidence !== undefined ? { confidence: prediction.confidence } : {}),
        ...(prediction.rawOutput !== undefined && options.includeRawOutput !== false
          ? { rawOutput: prediction.rawOutput }
          : {}),
        ...(chain !== undefined ? { correctiveChain: chain } : {}),
        ...(prediction.error !== undefined ? { error: prediction.error } : {}),
      };
    }),
  };
}

/** Item records for the error browser; explanations by item id win over the dataset's own. */
export function itemRecordsFromItems(
  items: readonly Item[],
  explanations?: ReadonlyMap<string, string>,
): ItemRecord[] {
  return items.map((item) => {
    const explanation = explanations?.get(item.id) ?? item.explanation;
    const question =
      item.kind === 'yes-no-maybe' && item.context.length > 0
        ? `${item.context.join(' ')}\n\n${item.question}`
        : item.question;
    return {
      itemId: item.id,
      question,
      ...(item.kind === 'multiple-choice'
        ? { options: item.options.map(({ key, text }) => ({ key, text })) }
        : {}),
      reference: referenceAnswerText(item),
      ...(item.kind === 'multiple-choice' ? { answerKey: item.answerKey } : {}),
      ...(item.subject !== undefined ? { subject: item.subject } : {}),
      ...(explanation !== undefined ? { teacherExplanation: explanation } : {}),
    };
  });
}

/** Baselines from an evaluation summary: answer-position prior, chance, majority class. */
export function baselinesFromSummary(summary: EvaluationSummary): Baseline[] {
  const baselines: Baseline[] = [];
  const prior = summary.positionPrior;
  if (prior) {
    baselines.push({
      name: `position prior (always ${prior.mostFrequentKey})`,
      accuracy: prior.accuracy,
      ci95: prior.ci95,
      note:
        prior.fittedOn === 'evaluated-items'
          ? 'fitted on the evaluated items (optimistic)'
          : 'fitted on reference items',
    });
    baselines.push({ name: 'chance', accuracy: prior.chanceAccuracy });
  }
  const majority = summary.majorityBaseline;
  if (majority && !(prior && majority.label === prior.mostFrequentKey)) {
    baselines.push({
      name: `majority (${majority.label})`,
      accuracy: majority.accuracy,
      ci95: majority.ci95,
    });
  }
  return baselines;
}

/**
 * Every pair of strategies that share items, compared item by item, with Holm's correction across
 * all of them (the more pairs one tests, the more one finds by chance).
 */
export function pairwiseComparisons(
  strategies: readonly StrategyResult[],
  bootstrap: BootstrapOptions = {},
): Comparison[] {
  const withOutcomes = strategies.filter((strategy) => strategy.outcomes && strategy.outcomes.length > 0);
  const comparisons: Comparison[] = [];
  withOutcomes.forEach((first, index) => {
    for (const second of withOutcomes.slice(index + 1)) {
      const compared = compareOutcomes(
        { label: strategyLabel(first), outcomes: first.outcomes! },
        { label: strategyLabel(second), outcomes: second.outcomes! },
        bootstrap,
      );
      if (compared) {
        const { onlyInA: _a, onlyInB: _b, ...comparison } = compared;
        comparisons.push(comparison);
      }
    }
  });
  return withHolm(comparisons);
}
