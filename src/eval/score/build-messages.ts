import type { ImageRef, Item } from '../../datasets/item.js';
import type { ChatMessage, ContentPart, ImagePart } from '../../models/language-model.js';

/** Reads an item's image into bytes; supplied by the caller (the dataset layer knows files and zips). */
export type ImageLoader = (image: ImageRef, item: Item) => Promise<Omit<ImagePart, 'type'>>;

/** One user message: the prompt text, preceded by the item's images when a loader is given. */
export async function buildMessages(
  item: Item,
  text: string,
  imageLoader?: ImageLoader,
): Promise<ChatMessage[]> {
  if (!item.images || item.images.length === 0 || !imageLoader) return [{ role: 'user', content: text }];
  const parts: ContentPart[] = [];
  for (const image of item.images) parts.push({ type: 'image', ...(await imageLoader(image, item)) });
  parts.push({ type: 'text', text });
  return [{ role: 'user', content: parts }];
}
