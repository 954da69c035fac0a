/** medistill/eval: scoring, answer extraction and statistics, without any engine loaded. */

export {
  type EvaluateOptions,
  type EvaluationMode,
  type EvaluationProgress,
  type EvaluationResult,
  evaluate,
} from './evaluate.js';
export type { EvaluationSummary, SummaryOptions } from './evaluation-summary.js';
export { extractAnswer, matchesReference } from './extract-answer.js';
export { type ChoiceExtraction, explainChoiceExtraction, extractChoice } from './extract-choice.js';
export { extractYesNoMaybe, type YesNoMaybe } from './extract-yes-no-maybe.js';
export type { ItemPrediction, OptionScore } from './item-prediction.js';
export { chainOfThoughtPrompt, finalAnswerInstruction, loglikPrompt } from './prompt.js';
export * from './statistics/index.js';
