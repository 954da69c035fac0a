import type { Item } from '../datasets/item.js';
import type { ItemPrediction } from './item-prediction.js';
import {
  type MajorityBaseline,
  majorityBaseline,
  type PositionPriorBaseline,
  positionPriorBaseline,
} from './statistics/baselines.js';
import { calibration, type ReliabilityBin } from './statistics/calibration.js';
import { type BinaryAgreement, binaryAgreement } from './statistics/cohen-kappa.js';
import type { Interval } from './statistics/interval.js';
import { perSubjectTable, type SubjectRow } from './statistics/per-subject.js';
import { wilsonInterval } from './statistics/wilson-interval.js';

/** The numbers of one evaluation run. Accuracy is over every item: failures count as wrong. */
export interface EvaluationSummary {
  n: number;
  correct: number;
  accuracy: number;
  /** Wilson 95% interval of the accuracy. */
  ci95: Interval;
  /** Items whose scoring failed (model error, malformed reply, unreadable judge), counted as wrong. */
  failed: number;
  /** Items with no readable answer (null prediction), counted as wrong; includes failures. */
  unanswered: number;
  /** Log-likelihood mode: accuracy by length-normalised log-likelihood (lm-evaluation-harness acc_norm). */
  accNorm?: { correct: number; accuracy: number; ci95: Interval };
  perSubject: SubjectRow[];
  /** Null when no item is multiple choice. */
  positionPrior: PositionPriorBaseline | null;
  majorityBaseline: MajorityBaseline | null;
  /** Log-likelihood mode: expected calibration error over the option probabilities. */
  ece?: number;
  reliability?: ReliabilityBin[];
  /** Judge mode: how often the judge agreed with exact match, where both gave a verdict. */
  judgeAgreement?: BinaryAgreement;
}

export interface SummaryOptions {
  /** Equal-width bins for calibration (default 10). */
  calibrationBins?: number;
  /** Items to fit the position prior on (e.g. the training split) instead of the evaluated ones. */
  referenceItems?: readonly Item[];
}

/** Summarise predictions aligned with `items` (prediction i belongs to item i). */
export function summarizeEvaluation(
  items: readonly Item[],
  predictions: readonly ItemPrediction[],
  options: SummaryOptions = {},
): EvaluationSummary {
  if (items.length !== predictions.length)
    throw new RangeError(`${items.length} items but ${predictions.length} predictions`);
  const n = predictions.length;
  const correct = predictions.filter((prediction) => prediction.correct).length;
  const summary: EvaluationSummary = {
    n,
    correct,
    accuracy: n === 0 ? 0 : correct / n,
    ci95: wilsonInterval(correct, n),
    failed: predictions.filter((prediction) => prediction.error !== undefined).length,
    unanswered: predictions.filter((prediction) => prediction.prediction === null).length,
    perSubject: perSubjectTable(predictions),
    positionPrior: positionPriorBaseline(
      items,
      predictions.map((prediction) => prediction.prediction),
      options.referenceItems,
    ),
    majorityBaseline: majorityBaseline(items),
  };
  const scored = predictions.filter((prediction) => prediction.optionScores !== undefined);
  if (scored.length > 0) {
    // A failed item has no normalised choice either: it stays wrong under acc_norm too.
    const correctNorm = predictions.filter((prediction) => prediction.correctNorm === true).length;
    summary.accNorm = {
      correct: correctNorm,
      accuracy: correctNorm / n,
      ci95: wilsonInterval(correctNorm, n),
    };
    const calibrated = calibration(
      scored.map((prediction) => ({ confidence: prediction.confidence ?? 0, correct: prediction.correct })),
      options.calibrationBins ?? 10,
    );
    if (calibrated) {
      summary.ece = calibrated.ece;
      summary.reliability = calibrated.bins;
    }
  }
  const judged = predictions.filter(
    (prediction) => prediction.judge?.verdict != null && prediction.exactMatch !== undefined,
  );
  if (judged.length > 0) {
    summary.judgeAgreement = binaryAgreement(
      judged.map((prediction) => prediction.judge?.verdict === 'correct'),
      judged.map((prediction) => prediction.exactMatch === true),
    );
  }
  return summary;
}
