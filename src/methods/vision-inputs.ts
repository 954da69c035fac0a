import { join } from 'node:path';
import type { DatasetProblem } from '../datasets/dataset-problem.js';
import type { Item } from '../datasets/item.js';
import { InputError } from '../errors.js';
import type { ContentPart, ImagePart } from '../models/language-model.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import type { VisionImages } from '../vision/images.js';
import type { StrategyContext } from './strategy-context.js';
import type { TrainingExample } from './training-examples.js';

/** What a run with image data adds to the strategies' context: how images are read and shown. */
export interface VisionSettings {
  images: VisionImages;
  /**
   * The caption ablation: the item's caption (the scene description) goes into the student's
   * prompt, in training and in evaluation. Off by default: the student reads the image.
   */
  withCaptions: boolean;
}

/** The prompt text with the caption first when the ablation asks for it (as itemPromptText places it). */
function captioned(vision: VisionSettings, item: Item, text: string): string {
  return vision.withCaptions && item.caption ? `Caption: ${item.caption}\n\n${text}` : text;
}

/** An image as the OpenAI `image_url` part training data carries. */
function imageUrlPart(part: ImagePart): { type: 'image_url'; image_url: { url: string } } {
  return {
    type: 'image_url',
    image_url: { url: `data:${part.mediaType};base64,${Buffer.from(part.data).toString('base64')}` },
  };
}

/** The item's images prepared for sending; an image that cannot be sent is the item's problem. */
async function itemImages(vision: VisionSettings, item: Item): Promise<ImagePart[]> {
  const prepared = await vision.images.prepareItem(item);
  if ('problem' in prepared) throw new InputError(prepared.problem.message);
  return prepared.images.map((image) => image.part);
}

/**
 * The student's user turn for an item: the text alone in a text run; in a vision run the item's
 * images first, then the text (with the caption in the ablation). An item with a missing, corrupt
 * or oversized image throws, which the answering stage records as that item's failure.
 */
export async function studentUserContent(
  context: Pick<StrategyContext, 'vision'>,
  item: Item,
  text: string,
): Promise<string | ContentPart[]> {
  const { vision } = context;
  if (!vision) return text;
  const images = await itemImages(vision, item);
  const prompt = captioned(vision, item, text);
  return images.length === 0 ? prompt : [...images, { type: 'text', text: prompt }];
}

/**
 * A vision run's training set as messages JSONL: every example's user turn gets its item's images
 * as `image_url` data URLs before the text (the order the student is asked in). Examples whose
 * image cannot be read are left out, each a problem naming the item.
 */
export async function visionTrainingLines(
  context: Pick<StrategyContext, 'vision' | 'train' | 'test'>,
  examples: readonly TrainingExample[],
): Promise<{ data: string; problems: DatasetProblem[]; kept: number }> {
  const vision = context.vision;
  if (!vision) throw new Error('visionTrainingLines needs a vision context');
  const items = new Map([...context.train, ...context.test].map((item) => [item.id, item]));
  const lines: string[] = [];
  const problems: DatasetProblem[] = [];
  for (const entry of examples) {
    const item = items.get(entry.meta.itemId);
    const prepared = item ? await vision.images.prepareItem(item) : { images: [] };
    if ('problem' in prepared) {
      problems.push(prepared.problem);
      continue;
    }
    const parts = prepared.images.map((image) => imageUrlPart(image.part));
    const messages = entry.messages.map((message) => {
      if (message.role !== 'user' || !item) return message;
      const text = captioned(vision, item, message.content);
      return { role: message.role, content: [...parts, { type: 'text', text }] };
    });
    lines.push(JSON.stringify({ messages, meta: entry.meta }));
  }
  return { data: lines.length > 0 ? `${lines.join('\n')}\n` : '', problems, kept: lines.length };
}

/**
 * A stage's training set in a vision run, as the train stage writes it: the lines, and beside them
 * `<stage>.image-problems.json` naming every example left out for its image.
 */
export async function visionTrainingSet(
  context: Pick<StrategyContext, 'vision' | 'train' | 'test' | 'directory'>,
  stage: string,
  examples: readonly TrainingExample[],
): Promise<string> {
  const { data, problems } = await visionTrainingLines(context, examples);
  if (problems.length > 0)
    await writeFileAtomically(
      join(context.directory, `${stage}.image-problems.json`),
      `${JSON.stringify(problems, null, 1)}\n`,
    );
  return data;
}
