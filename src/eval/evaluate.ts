import type { Item } from '../datasets/item.js';
import { AbortedError, ConfigError } from '../errors.js';
import type { LanguageModel } from '../models/language-model.js';
import { runBoundedPool } from './bounded-pool.js';
import { type EvaluationSummary, type SummaryOptions, summarizeEvaluation } from './evaluation-summary.js';
import { type ItemPrediction, itemReference, predictionBase } from './item-prediction.js';
import type { ImageLoader } from './score/build-messages.js';
import { scoreByChainOfThought } from './score/chain-of-thought.js';
import { scoreWithJudge } from './score/judged.js';
import { type ContinuationStyle, scoreByLoglik } from './score/loglik.js';

/**
 * How items are scored: `loglik` compares option log-likelihoods (multiple choice, yes/no/maybe);
 * `cot` generates a reasoned reply and extracts the answer; `judge` generates and lets a judge
 * model decide against the reference (every item kind, open-ended included).
 */
export type EvaluationMode = 'loglik' | 'cot' | 'judge';

export interface EvaluationProgress {
  done: number;
  total: number;
  correct: number;
  failed: number;
  /** The item just finished. */
  itemId: string;
}

export interface EvaluateOptions extends SummaryOptions {
  model: LanguageModel;
  items: readonly Item[];
  mode: EvaluationMode;
  /** Required in judge mode. */
  judge?: LanguageModel;
  /** Model calls in flight at once (default 1). */
  concurrency?: number;
  onProgress?: (progress: EvaluationProgress) => void;
  signal?: AbortSignal;
  /** Log-likelihood mode: what is scored after the prompt (default "letter-and-text": " A. text"). */
  continuationStyle?: ContinuationStyle;
  /** Generation modes: the token limit of the reply (default 512, the harness's). */
  maxTokens?: number;
  /** Reads item images; required when an item has images, unless `ignoreImages` is set. */
  imageLoader?: ImageLoader;
  /** Evaluate image items from their text alone (a grounding check), without a loader. */
  ignoreImages?: boolean;
}

export interface EvaluationResult {
  modelId: string;
  mode: EvaluationMode;
  /** Aligned with the input items. */
  predictions: ItemPrediction[];
  summary: EvaluationSummary;
}

/** Everything that would make the whole run meaningless is refused before any model call. */
function checkRun(options: EvaluateOptions): void {
  const { model, items, mode } = options;
  if (items.length === 0) throw new ConfigError('there are no items to evaluate');
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ConfigError(`concurrency must be a positive integer, got ${concurrency}`);
  if (mode === 'judge' && !options.judge) throw new ConfigError('judge mode needs a judge model');
  if (mode === 'loglik' && !model.scoreContinuations) {
    throw new ConfigError(`model ${model.id} cannot score continuations; use --mode cot or judge`);
  }
  const openEnded = items.find((item) => item.kind === 'open-ended');
  if (mode !== 'judge' && openEnded) {
    throw new ConfigError(`item ${openEnded.id} is open-ended; ${mode} mode needs options, use judge mode`);
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id))
      throw new ConfigError(`item id ${item.id} occurs twice; predictions are matched by id`);
    seen.add(item.id);
  }
  const withImages = items.find((item) => (item.images?.length ?? 0) > 0);
  if (withImages && !options.imageLoader && !options.ignoreImages) {
    throw new ConfigError(
      `item ${withImages.id} has images but no image loader was given (or set ignoreImages)`,
    );
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function scoreItem(item: Item, options: EvaluateOptions): Promise<ItemPrediction> {
  const { model, mode, signal } = options;
  const imageLoader = options.ignoreImages ? undefined : options.imageLoader;
  const shared = {
    ...(signal ? { signal } : {}),
    ...(imageLoader ? { imageLoader } : {}),
    ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
  };
  if (mode === 'judge') return scoreWithJudge(model, options.judge!, item, shared);
  if (item.kind === 'open-ended') throw new Error('open-ended items need judge mode');
  if (mode === 'cot') return scoreByChainOfThought(model, item, shared);
  return scoreByLoglik(model, item, {
    ...shared,
    continuationStyle: options.continuationStyle ?? 'letter-and-text',
  });
}

/**
 * Evaluate a model on items. Per-item failures (a model error, a malformed score) are recorded in
 * that item's prediction with `correct: false` and an `error`, never thrown and never skipped;
 * run-level problems (no judge, a model that cannot score, duplicate ids) throw ConfigError before
 * any call, and an aborted signal throws AbortedError.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationResult> {
  checkRun(options);
  const { items, signal } = options;
  if (signal?.aborted) throw new AbortedError('evaluation aborted before it started');
  let done = 0;
  let correct = 0;
  let failed = 0;
  const predictions = await runBoundedPool(
    items,
    options.concurrency ?? 1,
    async (item) => {
      let prediction: ItemPrediction;
      try {
        prediction = await scoreItem(item, options);
      } catch (error) {
        if (signal?.aborted) throw new AbortedError('evaluation aborted', { cause: error });
        prediction = {
          ...predictionBase(item, itemReference(item)),
          prediction: null,
          correct: false,
          error: errorMessage(error),
        };
      }
      done++;
      if (prediction.correct) correct++;
      if (prediction.error !== undefined) failed++;
      options.onProgress?.({ done, total: items.length, correct, failed, itemId: item.id });
      return prediction;
    },
    signal,
  );
  if (signal?.aborted) throw new AbortedError(`evaluation aborted after ${done} of ${items.length} items`);
  const summaryOptions: SummaryOptions = {
    ...(options.calibrationBins !== undefined ? { calibrationBins: options.calibrationBins } : {}),
    ...(options.referenceItems ? { referenceItems: options.referenceItems } : {}),
  };
  return {
    modelId: options.model.id,
    mode: options.mode,
    predictions,
    summary: summarizeEvaluation(items, predictions, summaryOptions),
  };
}
