import type { Item, MultipleChoiceItem, Option, YesNoMaybeItem } from '../datasets/item.js';

/*
 * Plain prompt builders for evaluation, in lm-evaluation-harness's shapes: "Question: ...",
 * lettered options, "Answer:" for log-likelihood scoring; the harness's chain-of-thought ending
 * for generation. Kept small on purpose: the dataset layer may later provide shared ones.
 */

/** The instruction lm-evaluation-harness's chain-of-thought variants end with. */
export const finalAnswerInstruction = 'End your response with exactly this format: Final Answer: X';

/** "A. text" lines. */
export function formatOptions(options: readonly Option[]): string {
  return options.map((option) => `${option.key}. ${option.text}`).join('\n');
}

function contextBlock(item: YesNoMaybeItem): string {
  return item.context.length > 0 ? `Abstract: ${item.context.join(' ')}\n` : '';
}

/** The prompt after which each option's continuation is scored (multiple choice or yes/no/maybe). */
export function loglikPrompt(item: MultipleChoiceItem | YesNoMaybeItem): string {
  if (item.kind === 'multiple-choice')
    return `Question: ${item.question}\n${formatOptions(item.options)}\nAnswer:`;
  return `${contextBlock(item)}Question: ${item.question}\nAnswer:`;
}

/** A chain-of-thought prompt: reason, then state the answer in the harness's extractable format. */
export function chainOfThoughtPrompt(item: MultipleChoiceItem | YesNoMaybeItem): string {
  if (item.kind === 'multiple-choice') {
    const keys = item.options.map((option) => option.key).join(', ');
    return [
      `Question: ${item.question}`,
      formatOptions(item.options),
      '',
      `Think step by step, then choose the single best option (X is one of ${keys}).`,
      finalAnswerInstruction,
    ].join('\n');
  }
  return [
    `${contextBlock(item)}Question: ${item.question}`,
    '',
    'Think step by step, then answer yes, no or maybe (X is one of yes, no, maybe).',
    finalAnswerInstruction,
  ].join('\n');
}

/** An open-ended question, answered in free text with a final line the judge and exact match can read. */
export function openEndedPrompt(item: Item): string {
  return [
    `Question: ${item.question}`,
    '',
    'Answer the question. End your response with: Final Answer: <your answer>',
  ].join('\n');
}

/** The prompt a model answers in judge mode: open-ended items as they are, the rest with options. */
export function answerPrompt(item: Item): string {
  return item.kind === 'open-ended' ? openEndedPrompt(item) : chainOfThoughtPrompt(item);
}

/**
 * MedThink's judge: compare the reply with the reference and answer with a single token, 1 for
 * correct and 2 for wrong (the caller asks for at most one new token).
 */
export function judgePrompt(question: string, referenceAnswer: string, studentAnswer: string): string {
  return [
    'You are a medical expert grading an answer to an exam question.',
    `Question: ${question}`,
    `Reference answer: ${referenceAnswer}`,
    `Student answer: ${studentAnswer}`,
    'Does the student answer agree with the reference answer? Reply with a single digit: 1 if it is correct, 2 if it is wrong.',
  ].join('\n');
}
