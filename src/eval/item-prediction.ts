import type { Item } from '../datasets/item.js';
import type { JudgeVerdict } from './parse-judge-verdict.js';

/** One option's log-likelihood score, with what calibration and acc_norm need. */
export interface OptionScore {
  key: string;
  /** The continuation that was scored (" A. Furosemide", " yes"). */
  continuation: string;
  logprob: number;
  tokenCount: number;
  byteCount: number;
  /** Softmax of the options' log-probabilities: the model's probability for this option among them. */
  probability: number;
}

/**
 * The outcome of one item. Per-item failures are data: a model error or an unreadable reply is
 * recorded here with `correct: false`, never dropped, so accuracy is always over all items.
 */
export interface ItemPrediction {
  id: string;
  kind: Item['kind'];
  subject?: string;
  /** What counts as right: the answer key, yes/no/maybe, or the reference answer text. */
  reference: string;
  /** The extracted answer (key, yes/no/maybe, answer text), or null when none could be read. */
  prediction: string | null;
  correct: boolean;
  /** The model's reply in generation modes. */
  rawOutput?: string;
  /** Log-likelihood mode: every option's score, in option order. */
  optionScores?: OptionScore[];
  /** Log-likelihood mode: the choice by length-normalised log-likelihood (lm-evaluation-harness acc_norm). */
  predictionNorm?: string;
  correctNorm?: boolean;
  /** Log-likelihood mode: the probability of the chosen option. */
  confidence?: number;
  /** Judge mode: the judge's verdict (null when its reply could not be read) and reply. */
  judge?: { verdict: JudgeVerdict | null; rawOutput: string };
  /** Where exact match applies alongside a judge: did the extracted answer equal the reference? */
  exactMatch?: boolean;
  /** Why the item failed (model error, malformed scores, unreadable judge reply). */
  error?: string;
}

/** The fields every prediction of `item` starts from. */
export function predictionBase(
  item: Item,
  reference: string,
): Pick<ItemPrediction, 'id' | 'kind' | 'subject' | 'reference'> {
  return {
    id: item.id,
    kind: item.kind,
    ...(item.subject !== undefined ? { subject: item.subject } : {}),
    reference,
  };
}

/** What a prediction is compared with: the answer key, yes/no/maybe, or the reference answer text. */
export function itemReference(item: Item): string {
  switch (item.kind) {
    case 'multiple-choice':
      return item.answerKey;
    case 'yes-no-maybe':
      return item.answer;
    case 'open-ended':
      return item.referenceAnswer;
  }
}
