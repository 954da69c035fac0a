import { ImageLibrary } from '../images/image-library.js';
import { toDataUrl } from '../images/image-media-type.js';
import type { Item } from '../item.js';
import type { ExportOptions, ExportResult } from './export-options.js';
import { answerFor, exportProblem, promptFor } from './export-options.js';
import { writeTextFileAtomically } from './text-file-writer.js';

/** OpenAI's (and Together AI's) limit on one image in a fine-tuning file. */
export const MAX_CHAT_IMAGE_BYTES = 10 * 1024 * 1024;

type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string };

export interface OpenAiChatExportOptions extends ExportOptions {
  /** Largest image to embed, in bytes (default 10 MB); items with a larger one are skipped. */
  maxImageBytes?: number;
}

/**
 * Write OpenAI-style chat fine-tuning JSONL: one `{"messages": [...]}` per item, images embedded
 * in the user turn as base64 data URLs (the only form these services take).
 */
export async function exportOpenAiChat(
  items: AsyncIterable<Item> | Iterable<Item>,
  file: string,
  options: OpenAiChatExportOptions = {},
): Promise<ExportResult> {
  const library = new ImageLibrary();
  const maxBytes = options.maxImageBytes ?? MAX_CHAT_IMAGE_BYTES;
  let written = 0;
  let skipped = 0;
  try {
    await writeTextFileAtomically(file, async (write) => {
      for await (const item of items) {
        const images = await embedImages(item, library, maxBytes, options);
        if (images === undefined) {
          skipped += 1;
          continue;
        }
        const text = promptFor(item, options);
        const messages: ChatMessage[] = [];
        if (options.system !== undefined) messages.push({ role: 'system', content: options.system });
        messages.push({
          role: 'user',
          // Images before the text, as the LLaMA-Factory export and the evaluation prompts place them.
          content: images.length === 0 ? text : [...images, { type: 'text', text }],
        });
        messages.push({ role: 'assistant', content: answerFor(item, options) });
        await write(`${JSON.stringify({ messages })}\n`);
        written += 1;
      }
    });
  } finally {
    await library.close();
  }
  return { files: [file], written, skipped };
}

/** The item's images as content parts, or undefined (after reporting) when one cannot be sent. */
async function embedImages(
  item: Item,
  library: ImageLibrary,
  maxBytes: number,
  options: ExportOptions,
): Promise<ContentPart[] | undefined> {
  const parts: ContentPart[] = [];
  for (const image of item.images ?? []) {
    const size = await library.size(image);
    if (size === undefined) {
      options.onProblem?.(
        exportProblem(item, 'missing-image', 'an image of this item no longer exists; item skipped'),
      );
      return undefined;
    }
    if (size > maxBytes) {
      options.onProblem?.(
        exportProblem(
          item,
          'image-too-large',
          `an image is ${size} bytes, over the ${maxBytes}-byte limit; item skipped`,
        ),
      );
      return undefined;
    }
    parts.push({ type: 'image_url', image_url: { url: toDataUrl(image, await library.read(image)) } });
  }
  return parts;
}
