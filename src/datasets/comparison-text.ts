import { imageFileName } from './images/image-media-type.js';
import type { Item } from './item.js';

/**
 * The parts of an item that make it the same question as another: the question, the option
 * texts (in any order), the context and the images (by file name). The answer is not part of
 * it, so two copies that disagree on the answer are still found as duplicates.
 */
export function comparisonParts(item: Item): {
  question: string;
  options: string[];
  context: string[];
  images: string[];
} {
  return {
    question: item.question,
    options: item.kind === 'multiple-choice' ? item.options.map((option) => option.text) : [],
    context: item.kind === 'yes-no-maybe' ? item.context : [],
    images: (item.images ?? []).map(imageFileName),
  };
}

/**
 * All of an item's visible text, for n-gram contamination checks. Image names lead, so a short
 * question ("Is there a fracture?") matches another only when asked of the same image.
 */
export function comparisonText(item: Item): string {
  const parts = comparisonParts(item);
  return [...parts.images, ...parts.context, parts.question, ...parts.options].join('\n');
}
