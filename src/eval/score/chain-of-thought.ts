import type { MultipleChoiceItem, YesNoMaybeItem } from '../../datasets/item.js';
import type { LanguageModel } from '../../models/language-model.js';
import { extractAnswer, matchesReference } from '../extract-answer.js';
import { type ItemPrediction, itemReference, predictionBase } from '../item-prediction.js';
import { chainOfThoughtPrompt } from '../prompt.js';
import { buildMessages, type ImageLoader } from './build-messages.js';

/** lm-evaluation-harness's chain-of-thought variants decode greedily up to 512 tokens. */
export const defaultChainOfThoughtMaxTokens = 512;

export interface GenerationOptions {
  maxTokens?: number;
  signal?: AbortSignal;
  imageLoader?: ImageLoader;
}

/** Generate greedily and return the first choice's text; an empty choice list is an error. */
export async function generateText(
  model: LanguageModel,
  messages: Parameters<LanguageModel['generate']>[0]['messages'],
  maxTokens: number,
  signal?: AbortSignal,
): Promise<string> {
  const response = await model.generate({ messages, maxTokens, temperature: 0 }, signal ? { signal } : {});
  const first = response.choices[0];
  if (!first) throw new Error(`model ${model.id} returned no choices`);
  return first.text;
}

/**
 * Chain-of-thought scoring: greedy generation with the harness's "Final Answer: X" ending, then
 * extraction. A reply with no readable answer is a prediction of null and counts as wrong.
 */
export async function scoreByChainOfThought(
  model: LanguageModel,
  item: MultipleChoiceItem | YesNoMaybeItem,
  options: GenerationOptions = {},
): Promise<ItemPrediction> {
  const messages = await buildMessages(item, chainOfThoughtPrompt(item), options.imageLoader);
  const output = await generateText(
    model,
    messages,
    options.maxTokens ?? defaultChainOfThoughtMaxTokens,
    options.signal,
  );
  const reference = itemReference(item);
  const prediction = extractAnswer(output, item);
  return {
    ...predictionBase(item, reference),
    prediction,
    correct: matchesReference(item, prediction),
    rawOutput: output,
  };
}
