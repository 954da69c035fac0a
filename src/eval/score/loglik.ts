import { z } from 'zod';
import type { MultipleChoiceItem, YesNoMaybeItem } from '../../datasets/item.js';
import type { LanguageModel } from '../../models/language-model.js';
import { type ItemPrediction, itemReference, type OptionScore, predictionBase } from '../item-prediction.js';
import { loglikPrompt } from '../prompt.js';
import { buildMessages, type ImageLoader } from './build-messages.js';

/**
 * What is scored after the prompt for each option: " A" (lm-evaluation-harness's MedQA and
 * MedMCQA convention), " A. Furosemide", or " Furosemide". Yes/no/maybe items always score " yes",
 * " no", " maybe" (the harness's PubMedQA convention).
 */
export type ContinuationStyle = 'letter' | 'letter-and-text' | 'text';

export interface LoglikChoice {
  key: string;
  continuation: string;
}

export function loglikChoices(
  item: MultipleChoiceItem | YesNoMaybeItem,
  style: ContinuationStyle,
): LoglikChoice[] {
  if (item.kind === 'yes-no-maybe')
    return ['yes', 'no', 'maybe'].map((word) => ({ key: word, continuation: ` ${word}` }));
  return item.options.map((option) => {
    const continuation =
      style === 'letter' ? option.key : style === 'text' ? option.text : `${option.key}. ${option.text}`;
    return { key: option.key, continuation: ` ${continuation}` };
  });
}

// Lenient on what the adapter sends, but NaN or a missing field is a malformed score, not a result.
const scoreSchema = z.object({
  logprob: z
    .number()
    .refine(
      (value) => !Number.isNaN(value) && value !== Number.POSITIVE_INFINITY,
      'logprob must be a number <= 0 or -Infinity',
    ),
  tokenCount: z.number().int().nonnegative(),
  byteCount: z.number().int().nonnegative(),
});

/** Index of the first maximum, as numpy's argmax (the harness's tie rule). */
function argmax(values: readonly number[]): number {
  let best = 0;
  values.forEach((value, index) => {
    if (value > values[best]!) best = index;
  });
  return best;
}

function softmax(logprobs: readonly number[]): number[] {
  const largest = Math.max(...logprobs);
  if (largest === Number.NEGATIVE_INFINITY) return logprobs.map(() => 1 / logprobs.length);
  const weights = logprobs.map((value) => Math.exp(value - largest));
  const total = weights.reduce((sum, value) => sum + value, 0);
  return weights.map((value) => value / total);
}

export interface LoglikOptions {
  continuationStyle: ContinuationStyle;
  signal?: AbortSignal;
  imageLoader?: ImageLoader;
}

/**
 * Score a multiple-choice or yes/no/maybe item the lm-evaluation-harness way: acc takes the option
 * with the highest summed log-probability, acc_norm the highest log-probability per byte; the
 * softmax over the options' log-probabilities gives the probabilities used for calibration.
 * Throws on model errors (the caller records them); a malformed reply also throws.
 */
export async function scoreByLoglik(
  model: LanguageModel,
  item: MultipleChoiceItem | YesNoMaybeItem,
  options: LoglikOptions,
): Promise<ItemPrediction> {
  if (!model.scoreContinuations) throw new Error(`model ${model.id} cannot score continuations`);
  const choices = loglikChoices(item, options.continuationStyle);
  const messages = await buildMessages(item, loglikPrompt(item), options.imageLoader);
  const reply = await model.scoreContinuations(
    messages,
    choices.map((choice) => choice.continuation),
    options.signal ? { signal: options.signal } : {},
  );
  const scores = z
    .array(scoreSchema)
    .length(choices.length, `expected ${choices.length} scores`)
    .parse(reply);
  const logprobs = scores.map((score) => score.logprob);
  const probabilities = softmax(logprobs);
  const perByte = scores.map(
    (score, index) =>
      score.logprob /
      (score.byteCount > 0 ? score.byteCount : Buffer.byteLength(choices[index]!.continuation, 'utf8')),
  );
  const optionScores: OptionScore[] = choices.map((choice, index) => ({
    key: choice.key,
    continuation: choice.continuation,
    logprob: scores[index]!.logprob,
    tokenCount: scores[index]!.tokenCount,
    byteCount: scores[index]!.byteCount,
    probability: probabilities[index]!,
  }));
  const chosen = argmax(logprobs);
  const reference = itemReference(item);
  const prediction = choices[chosen]!.key;
  const predictionNorm = choices[argmax(perByte)]!.key;
  return {
    ...predictionBase(item, reference),
    prediction,
    correct: prediction === reference,
    optionScores,
    predictionNorm,
    correctNorm: predictionNorm === reference,
    confidence: probabilities[chosen]!,
  };
}
