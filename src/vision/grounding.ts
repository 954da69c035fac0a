import type { DatasetProblem } from '../datasets/dataset-problem.js';
import { imageKey } from '../datasets/images/image-library.js';
import type { Item } from '../datasets/item.js';
import { AbortedError, InputError, MedistillError } from '../errors.js';
import { runBoundedPool } from '../eval/bounded-pool.js';
import { extractAnswer, matchesReference } from '../eval/extract-answer.js';
import { itemReference } from '../eval/item-prediction.js';
import type { ImagePart, LanguageModel } from '../models/language-model.js';
import { seededDerangement } from './derangement.js';
import { type GroundingSummary, summarizeGrounding } from './grounding-summary.js';
import type { PreparedImage, VisionImages } from './images.js';
import { type ClosedItem, isClosedItem, visionMessages, visionQuestionPrompt } from './vision-prompt.js';

/**
 * The four conditions of the visual-grounding analysis. A model that reads the image does best
 * with the real one; if it does as well with a blank image, another patient's image or none, its
 * answers come from the text and the answer priors, not from looking.
 */
export const groundingConditions = ['real-image', 'blank-image', 'other-image', 'no-image'] as const;
export type GroundingCondition = (typeof groundingConditions)[number];

export interface GroundingOptions {
  model: LanguageModel;
  /** Test items; only multiple-choice and yes/no items with images take part. */
  items: readonly Item[];
  images: VisionImages;
  /** Seed of the other-image derangement (default 1). */
  seed?: number;
  /** Use only the first `limit` items that can take part. */
  limit?: number;
  /** Reply token limit (default 512, lm-evaluation-harness's chain-of-thought setting). */
  maxTokens?: number;
  concurrency?: number;
  withCaptions?: boolean;
  /**
   * The question text (default: visionQuestionPrompt, which asks for "Final Answer: X"). A student
   * trained here is asked in the words it was trained on.
   */
  prompt?: (item: ClosedItem) => string;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** One item under one condition. A failed call is data: `correct: false` and the error. */
export interface ConditionOutcome {
  prediction: string | null;
  correct: boolean;
  /** The prompt tokens the server counted: the image tokens show here. */
  promptTokens: number;
  rawOutput: string;
  error?: string;
}

export interface GroundingItemResult {
  id: string;
  kind: ClosedItem['kind'];
  reference: string;
  /** The item whose image the other-image condition showed. */
  otherImageItemId: string;
  outcomes: Record<GroundingCondition, ConditionOutcome>;
}

export interface GroundingResult {
  modelId: string;
  seed: number;
  /** Items left out, and why: open-ended (no exact scoring), no image, or an image that cannot be sent. */
  excluded: { openEnded: number; withoutImages: number; imageProblems: number };
  problems: DatasetProblem[];
  items: GroundingItemResult[];
  summary: GroundingSummary;
}

/** An item whose images were checked; they are read again (through the cache) when sent, so a long run holds only recent images in memory. */
interface Prepared {
  item: ClosedItem;
}

/**
 * Run the grounding analysis: every eligible item is asked four times (real image, a mid-grey
 * image of the same size, a seeded other item's image, no image), answers are extracted from
 * "Final Answer: X", and each condition's accuracy is compared with the real image's, item by
 * item (exact McNemar, Holm-adjusted), above the answer-position and majority floors.
 */
export async function runGroundingAnalysis(options: GroundingOptions): Promise<GroundingResult> {
  const seed = options.seed ?? 1;
  const excluded = { openEnded: 0, withoutImages: 0, imageProblems: 0 };
  const problems: DatasetProblem[] = [];
  const prepared: Prepared[] = [];
  for (const item of options.items) {
    if (options.limit !== undefined && prepared.length >= options.limit) break;
    if (!isClosedItem(item)) excluded.openEnded += 1;
    else if (!item.images || item.images.length === 0) excluded.withoutImages += 1;
    else {
      const result = await options.images.prepareItem(item);
      if ('problem' in result) {
        excluded.imageProblems += 1;
        problems.push(result.problem);
      } else prepared.push({ item });
    }
  }
  if (prepared.length === 0)
    throw new InputError(
      `no item can take part: ${excluded.openEnded} open-ended, ${excluded.withoutImages} without images, ${excluded.imageProblems} with an unreadable image`,
    );
  const donors = seededDerangement(
    prepared.map(({ item }) => item.images!.map(imageKey).join('|')),
    seed,
  );
  const tasks = prepared.flatMap((entry, index) =>
    groundingConditions.map((condition) => ({ entry, index, condition })),
  );
  let done = 0;
  const outcomes = await runBoundedPool(
    tasks,
    options.concurrency ?? 1,
    async ({ entry, index, condition }) => {
      const donor = prepared[donors[index]!]!;
      const outcome = await imagesFor(condition, entry, donor, options.images).then(
        (images) => ask(options, entry.item, images),
        (error: unknown) => failedOutcome(error),
      );
      done += 1;
      options.onProgress?.({ done, total: tasks.length });
      return outcome;
    },
    options.signal,
  );
  if (options.signal?.aborted) throw new AbortedError('the grounding analysis was aborted');
  // One failed call is an item's data; every call failing is a run that did not happen.
  const firstError = outcomes.find((outcome) => outcome.error !== undefined)?.error;
  if (firstError !== undefined && outcomes.every((outcome) => outcome.error !== undefined))
    throw new MedistillError(`every call to ${options.model.id} failed; the first: ${firstError}`);
  const items = prepared.map(({ item }, index): GroundingItemResult => {
    const byCondition = Object.fromEntries(
      groundingConditions.map((condition, offset) => [
        condition,
        outcomes[index * groundingConditions.length + offset]!,
      ]),
    ) as Record<GroundingCondition, ConditionOutcome>;
    return {
      id: item.id,
      kind: item.kind,
      reference: itemReference(item),
      otherImageItemId: prepared[donors[index]!]!.item.id,
      outcomes: byCondition,
    };
  });
  return {
    modelId: options.model.id,
    seed,
    excluded,
    problems,
    items,
    summary: summarizeGrounding(
      prepared.map(({ item }) => item),
      items,
    ),
  };
}

async function imagesFor(
  condition: GroundingCondition,
  own: Prepared,
  donor: Prepared,
  library: VisionImages,
): Promise<ImagePart[]> {
  switch (condition) {
    case 'real-image':
      return (await preparedImages(own, library)).map((image) => image.part);
    case 'blank-image':
      return Promise.all(
        (await preparedImages(own, library)).map(async (image) => (await library.blankLike(image)).part),
      );
    case 'other-image':
      return (await preparedImages(donor, library)).map((image) => image.part);
    case 'no-image':
      return [];
  }
}

async function preparedImages({ item }: Prepared, library: VisionImages): Promise<PreparedImage[]> {
  const result = await library.prepareItem(item);
  if ('problem' in result) throw new InputError(result.problem.message);
  return result.images;
}

function failedOutcome(error: unknown): ConditionOutcome {
  const message = error instanceof Error ? error.message : String(error);
  return { prediction: null, correct: false, promptTokens: 0, rawOutput: '', error: message };
}

async function ask(
  options: GroundingOptions,
  item: ClosedItem,
  images: ImagePart[],
): Promise<ConditionOutcome> {
  const text =
    options.prompt?.(item) ?? visionQuestionPrompt(item, { withCaptions: options.withCaptions ?? false });
  try {
    const response = await options.model.generate(
      { messages: visionMessages(text, images), maxTokens: options.maxTokens ?? 512, temperature: 0 },
      options.signal ? { signal: options.signal } : {},
    );
    const rawOutput = response.choices[0]?.text ?? '';
    const prediction = extractAnswer(rawOutput, item);
    return {
      prediction,
      correct: matchesReference(item, prediction),
      promptTokens: response.usage.promptTokens,
      rawOutput,
    };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return failedOutcome(error);
  }
}
