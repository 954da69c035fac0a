import { type Item, referenceAnswerText } from '../../datasets/item.js';
import type { LanguageModel } from '../../models/language-model.js';
import { extractAnswer, extractFinalAnswerText, matchesReference } from '../extract-answer.js';
import { type ItemPrediction, itemReference, predictionBase } from '../item-prediction.js';
import { parseJudgeVerdict } from '../parse-judge-verdict.js';
import { answerPrompt, judgePrompt } from '../prompt.js';
import { buildMessages } from './build-messages.js';
import { defaultChainOfThoughtMaxTokens, type GenerationOptions, generateText } from './chain-of-thought.js';

/**
 * Judged scoring (MedThink): the model answers, a judge model compares the answer with the
 * reference and replies 1 (correct) or 2 (wrong) in at most one token. The judge's verdict
 * decides; exact match is recorded beside it so the two can be compared. An unreadable verdict
 * counts as wrong and is reported in `error`. Model errors throw (the caller records them).
 */
export async function scoreWithJudge(
  model: LanguageModel,
  judge: LanguageModel,
  item: Item,
  options: GenerationOptions = {},
): Promise<ItemPrediction> {
  const messages = await buildMessages(item, answerPrompt(item), options.imageLoader);
  const output = await generateText(
    model,
    messages,
    options.maxTokens ?? defaultChainOfThoughtMaxTokens,
    options.signal,
  );
  const prediction = extractAnswer(output, item);
  const base: ItemPrediction = {
    ...predictionBase(item, itemReference(item)),
    prediction,
    correct: false,
    rawOutput: output,
    exactMatch: matchesReference(item, prediction),
  };
  // The judge compares texts, as MedThink's does; it is not shown the images.
  const judgeText = judgePrompt(
    item.question,
    referenceAnswerText(item),
    extractFinalAnswerText(output) || output,
  );
  let judgeReply: string;
  try {
    judgeReply = await generateText(judge, [{ role: 'user', content: judgeText }], 1, options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    // The answer exists even when the judge failed; keep it with the failure.
    return { ...base, error: `judge failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const verdict = parseJudgeVerdict(judgeReply);
  return {
    ...base,
    correct: verdict === 'correct',
    judge: { verdict, rawOutput: judgeReply },
    ...(verdict === null
      ? { error: `judge reply not readable: ${JSON.stringify(judgeReply.slice(0, 80))}` }
      : {}),
  };
}
