import type { DatasetProblem } from '../datasets/dataset-problem.js';
import type { Item } from '../datasets/item.js';
import { itemPromptText } from '../datasets/item-prompt.js';
import { AbortedError, MedistillError } from '../errors.js';
import { runBoundedPool } from '../eval/bounded-pool.js';
import { extractAnswer, matchesReference } from '../eval/extract-answer.js';
import { finalAnswerInstruction } from '../eval/prompt.js';
import type { LanguageModel } from '../models/language-model.js';
import type { VisionImages } from './images.js';
import { visionMessages } from './vision-prompt.js';

/**
 * LiteMedCoT-VL's teacher step: a vision-language teacher looks at the image, reasons step by
 * step and answers; a rationale is kept only when its answer agrees with the reference, so the
 * student never learns a chain that ends somewhere wrong.
 */

/** The teacher's instruction. Versioned: a change of wording is a change of method. */
export const visualRationalePrompt = {
  version: 'cot-vl-1',
  system:
    'You are an expert in medical imaging. Answer from what the image shows: describe the findings that bear on the question, reason step by step, then answer.',
  instruction: (choices: string): string =>
    [
      'First describe what you see in the image that matters for the question, then reason step by step to the answer',
      `(X is ${choices}).`,
      finalAnswerInstruction,
    ].join(' '),
} as const;

export interface VisualRationaleOptions {
  teacher: LanguageModel;
  /** Training items with images: multiple choice, yes/no, or open-ended with a short reference. */
  items: readonly Item[];
  images: VisionImages;
  /** Replies asked per item (k); 1 decodes greedily, more sample at `temperature`. */
  samples?: number;
  temperature?: number;
  /** Keep the first matching rationale per item (default) or every matching one. */
  keep?: 'first' | 'all';
  maxTokens?: number;
  /** Show dataset captions to the teacher (off by default, as for the student). */
  withCaptions?: boolean;
  concurrency?: number;
  seed?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { done: number; total: number; kept: number }) => void;
}

/** One teacher reply, whether kept or not, so the filtering can be audited. */
export interface VisualRationale {
  itemId: string;
  sample: number;
  /** The reasoning without its final-answer line. */
  rationale: string;
  /** The answer extracted from the reply (key, yes/no, or text); null when none could be read. */
  answer: string | null;
  kept: boolean;
  /** Why it was dropped; `extra-sample`: right, but an earlier sample was kept (`keep: 'first'`). */
  dropped?: 'wrong-answer' | 'no-answer' | 'empty-rationale' | 'extra-sample';
}

/** A kept rationale with its item: one training example. */
export interface CotVlExample {
  item: Item;
  sample: number;
  rationale: string;
}

export interface VisualRationaleResult {
  teacherId: string;
  promptVersion: string;
  examples: CotVlExample[];
  replies: VisualRationale[];
  /** Items whose image cannot be sent, and items whose teacher call failed (with the error). */
  problems: DatasetProblem[];
  failed: { itemId: string; error: string }[];
  counts: { items: number; withRationale: number; replies: number; kept: number };
}

/** The admissible answers as the teacher's instruction names them. */
export function choicesFor(item: Item): string {
  if (item.kind === 'multiple-choice') return `one of ${item.options.map((option) => option.key).join(', ')}`;
  if (item.kind === 'yes-no-maybe') return item.context.length > 0 ? 'one of yes, no, maybe' : 'yes or no';
  return 'a short answer';
}

/** Split a reply into its reasoning and its final-answer line; `<think>` tags are unwrapped. */
export function splitRationale(reply: string): string {
  const text = reply.replace(/<\/?think>/g, '').trim();
  const markers = [...text.matchAll(/(?:\*\*)?\s*final\s+answer\s*(?:is)?\s*[:：]/giu)];
  const last = markers.at(-1);
  return (last?.index === undefined ? text : text.slice(0, last.index)).trim();
}

/**
 * Ask the teacher for k image-grounded rationales per item and keep those whose answer matches
 * the reference. An item whose image cannot be sent is a problem; a failed call is recorded and
 * the item has no rationale; every call failing is thrown (the teacher is not there).
 */
export async function generateVisualRationales(
  options: VisualRationaleOptions,
): Promise<VisualRationaleResult> {
  const samples = options.samples ?? 1;
  const problems: DatasetProblem[] = [];
  const failed: { itemId: string; error: string }[] = [];
  const replies: VisualRationale[] = [];
  const examples: CotVlExample[] = [];
  let done = 0;
  await runBoundedPool(
    options.items,
    options.concurrency ?? 1,
    async (item, index) => {
      const prepared = await options.images.prepareItem(item);
      if ('problem' in prepared) problems.push(prepared.problem);
      else {
        const text = `${itemPromptText(item, { includeCaption: options.withCaptions ?? false })}\n\n${visualRationalePrompt.instruction(choicesFor(item))}`;
        try {
          const response = await options.teacher.generate(
            {
              messages: visionMessages(
                text,
                prepared.images.map((image) => image.part),
                visualRationalePrompt.system,
              ),
              maxTokens: options.maxTokens ?? 1024,
              temperature: samples > 1 ? (options.temperature ?? 0.7) : 0,
              ...(samples > 1 ? { n: samples, seed: (options.seed ?? 1) * 100_003 + index } : {}),
            },
            options.signal ? { signal: options.signal } : {},
          );
          let keptOne = false;
          response.choices.forEach((choice, sample) => {
            let reply = judgeReply(item, sample, choice.text);
            if (reply.kept && keptOne && options.keep !== 'all')
              reply = { ...reply, kept: false, dropped: 'extra-sample' };
            if (reply.kept) {
              keptOne = true;
              examples.push({ item, sample, rationale: reply.rationale });
            }
            replies.push(reply);
          });
        } catch (error) {
          if (options.signal?.aborted) throw new AbortedError('generating rationales was aborted');
          failed.push({ itemId: item.id, error: error instanceof Error ? error.message : String(error) });
        }
      }
      done += 1;
      options.onProgress?.({ done, total: options.items.length, kept: examples.length });
    },
    options.signal,
  );
  if (options.signal?.aborted) throw new AbortedError('generating rationales was aborted');
  if (failed.length > 0 && replies.length === 0)
    throw new MedistillError(
      `every call to the teacher ${options.teacher.id} failed; the first: ${failed[0]!.error}`,
    );
  // Items finish out of order under concurrency; keep the dataset's order.
  const order = new Map(options.items.map((item, index) => [item.id, index]));
  const byItem = (itemId: string) => order.get(itemId) ?? 0;
  examples.sort((left, right) => byItem(left.item.id) - byItem(right.item.id) || left.sample - right.sample);
  replies.sort((left, right) => byItem(left.itemId) - byItem(right.itemId) || left.sample - right.sample);
  return {
    teacherId: options.teacher.id,
    promptVersion: visualRationalePrompt.version,
    examples,
    replies,
    problems,
    failed,
    counts: {
      items: options.items.length,
      withRationale: new Set(examples.map((example) => example.item.id)).size,
      replies: replies.length,
      kept: examples.length,
    },
  };
}

function judgeReply(item: Item, sample: number, text: string): VisualRationale {
  const answer = extractAnswer(text, item);
  const rationale = splitRationale(text);
  const base = { itemId: item.id, sample, rationale, answer };
  if (answer === null) return { ...base, kept: false, dropped: 'no-answer' };
  if (!matchesReference(item, answer)) return { ...base, kept: false, dropped: 'wrong-answer' };
  if (rationale.length === 0) return { ...base, kept: false, dropped: 'empty-rationale' };
  return { ...base, kept: true };
}
