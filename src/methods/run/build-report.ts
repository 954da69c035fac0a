import type { Item } from '../../datasets/item.js';
import { itemRecordsFromItems } from '../../report/build-run-report.js';
import { compareOutcomes, withHolm } from '../../report/compare-outcomes.js';
import { type RunReportInput, strategyLabel } from '../../report/run-report.js';
import type { StrategyOutcome } from '../strategies/strategy.js';
import type { DistillationResults } from './results.js';

type ReportStrategy = RunReportInput['strategies'][number];

const countsNote = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([name, value]) => `${name.replace(/([A-Z])/g, ' $1').toLowerCase()}: ${value}`)
    .join(', ');

/**
 * The run as the report renderer reads it: every (strategy, seed) final student with its
 * per-item outcomes, each earlier stage as its own entry (accuracy after each MedThink stage),
 * the reference strategy compared item by item with each other one per seed (Holm-adjusted),
 * training curves, and the test items for the error browser.
 */
export function buildRunReport(options: {
  results: DistillationResults;
  outcomes: ReadonlyMap<string, StrategyOutcome[]>;
  test: readonly Item[];
  reference: string | undefined;
  chance?: number;
}): RunReportInput {
  const strategies: ReportStrategy[] = [];
  const trainingHistories: RunReportInput['trainingHistories'] = [];
  const seedResults = new Map(
    options.results.strategies.flatMap((strategy) =>
      strategy.seeds.map((seed) => [`${strategy.strategy}#${seed.seed}`, seed]),
    ),
  );
  for (const [name, list] of options.outcomes) {
    for (const outcome of list) {
      const summary = seedResults.get(`${name}#${outcome.seed}`);
      outcome.evaluations.forEach((evaluation, index) => {
        const final = index === outcome.evaluations.length - 1;
        const stage = summary?.stages[index];
        strategies.push({
          name: final ? name : `${name} ${evaluation.stage}`,
          seed: outcome.seed,
          n: evaluation.total,
          correct: evaluation.correct,
          accuracy: stage?.accuracy ?? (evaluation.total ? evaluation.correct / evaluation.total : 0),
          ci95: stage?.ci95 ?? [0, 1],
          ...(final && summary?.loglik
            ? {
                loglik: {
                  n: summary.loglik.total,
                  correct: summary.loglik.correct,
                  accuracy: summary.loglik.accuracy,
                  ci95: summary.loglik.ci95,
                },
              }
            : {}),
          unanswered: evaluation.predictions.filter((prediction) => prediction.answer === null).length,
          ...(final && Object.keys(outcome.counts).length > 0 ? { notes: countsNote(outcome.counts) } : {}),
          outcomes: evaluation.predictions.map((prediction) => ({
            itemId: prediction.itemId,
            correct: prediction.correct === true,
            prediction: prediction.answer,
            rawOutput: prediction.reply,
            ...(prediction.error ? { error: prediction.error } : {}),
          })),
        });
      });
      for (const training of outcome.training) {
        const points = training.history
          .filter((point) => point.trainLoss !== undefined)
          .map((point) => ({
            step: point.step,
            loss: point.trainLoss!,
            epoch: point.epoch,
            ...(point.validationLoss !== undefined ? { validationLoss: point.validationLoss } : {}),
          }));
        if (points.length > 0)
          trainingHistories.push({
            strategy: strategyLabel({ name, seed: outcome.seed }),
            stage: training.stage,
            points,
          });
      }
    }
  }
  const comparisons = [];
  const reference = options.reference ? options.outcomes.get(options.reference) : undefined;
  for (const referenceOutcome of reference ?? []) {
    const a = strategies.find(
      (entry) => entry.name === options.reference && entry.seed === referenceOutcome.seed,
    )!;
    for (const other of strategies) {
      if (
        other.name === options.reference ||
        other.seed !== referenceOutcome.seed ||
        !options.outcomes.has(other.name)
      )
        continue;
      const compared = compareOutcomes(
        { label: strategyLabel(a), outcomes: a.outcomes ?? [] },
        { label: strategyLabel(other), outcomes: other.outcomes ?? [] },
        { seed: 1 },
      );
      if (compared) {
        const { onlyInA: _a, onlyInB: _b, ...comparison } = compared;
        comparisons.push(comparison);
      }
    }
  }
  return {
    schemaVersion: 1,
    title: `medistill run: ${options.results.name}`,
    createdAt: options.results.createdAt,
    description: `${options.results.trainItems} training items, ${options.results.testItems} test items.`,
    strategies,
    comparisons: withHolm(comparisons),
    baselines: options.chance !== undefined ? [{ name: 'chance', accuracy: options.chance }] : [],
    trainingHistories,
    items: itemRecordsFromItems(options.test),
  };
}
