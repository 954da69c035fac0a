import type { DatasetProblem } from '../datasets/dataset-problem.js';
import type { ExportResult } from '../datasets/export/export-options.js';
import { exportLlamaFactory } from '../datasets/export/llamafactory.js';
import { checkLlamaFactoryDataset, type LlamaFactoryCheck } from '../datasets/export/llamafactory-check.js';
import { exportOpenAiChat } from '../datasets/export/openai-chat.js';
import type { Item } from '../datasets/item.js';
import type { CotVlExample } from './cot-vl.js';
import { visionQuestionPrompt } from './vision-prompt.js';

export interface CotVlTrainingSetOptions {
  /** The LLaMA-Factory dataset folder: `<name>.json`, `dataset_info.json` and `images/`. */
  folder: string;
  /** The dataset's name in dataset_info.json (default `cot_vl`). */
  name?: string;
  /** Also write OpenAI-style chat JSONL here (images as base64 data URLs). */
  openAiChatFile?: string;
  /** Train with captions in the prompt (off by default: the student reads the image). */
  withCaptions?: boolean;
  system?: string;
  onProblem?: (problem: DatasetProblem) => void;
}

export interface CotVlTrainingSet {
  llamaFactory: ExportResult;
  openAiChat?: ExportResult;
  /** LLaMA-Factory's own checks (image tags against images, files present), run on what was written. */
  check: LlamaFactoryCheck;
}

/** The answer line the student learns, in the shape the evaluation prompt asks for. */
export function finalAnswerLine(item: Item): string {
  switch (item.kind) {
    case 'multiple-choice':
      return `Final Answer: ${item.answerKey}`;
    case 'yes-no-maybe':
      return `Final Answer: ${item.answer}`;
    case 'open-ended':
      return `Final Answer: ${item.referenceAnswer}`;
  }
}

/** The assistant turn: the rationale in a think block, then the answer (Qwen3's reasoning shape). */
export function cotVlTarget(item: Item, rationale: string): string {
  return `<think>\n${rationale.trim()}\n</think>\n\n${finalAnswerLine(item)}`;
}

/**
 * Write the explanation-enriched training set for a VLM student: LLaMA-Factory sharegpt with
 * images (one `<image>` tag per image, literal tags in the text escaped) and its dataset_info.json
 * entry, and optionally OpenAI chat JSONL. The prompt is the one the student is evaluated with.
 * Several kept samples of one item become several records (ids `<id>#<sample>`).
 */
export async function writeCotVlTrainingSet(
  examples: readonly CotVlExample[],
  options: CotVlTrainingSetOptions,
): Promise<CotVlTrainingSet> {
  const name = options.name ?? 'cot_vl';
  const targets = new Map<string, string>();
  const records: Item[] = examples.map((example) => {
    const id = example.sample === 0 ? example.item.id : `${example.item.id}#${example.sample}`;
    targets.set(id, cotVlTarget(example.item, example.rationale));
    return { ...example.item, id };
  });
  const shared = {
    prompt: (item: Item) => visionQuestionPrompt(item, { withCaptions: options.withCaptions ?? false }),
    answer: (item: Item) => targets.get(item.id) ?? finalAnswerLine(item),
    ...(options.system === undefined ? {} : { system: options.system }),
    ...(options.onProblem === undefined ? {} : { onProblem: options.onProblem }),
  };
  const llamaFactory = await exportLlamaFactory(records, options.folder, { ...shared, name, images: 'copy' });
  const openAiChat =
    options.openAiChatFile === undefined
      ? undefined
      : await exportOpenAiChat(records, options.openAiChatFile, shared);
  const [check] = await checkLlamaFactoryDataset(options.folder, [name]);
  return { llamaFactory, ...(openAiChat ? { openAiChat } : {}), check: check! };
}
