/** LLaMA-Factory's multimodal placeholders: each must match one attached image, video or audio. */
const PLACEHOLDERS = /<(image|video|audio)>/g;

/**
 * Make a literal `<image>` (or `<video>`, `<audio>`) in dataset text harmless, as `&lt;image&gt;`:
 * LLaMA-Factory counts every placeholder and refuses a record whose count differs from its images.
 */
export function escapeMediaPlaceholders(text: string): string {
  return text.replace(PLACEHOLDERS, '&lt;$1&gt;');
}

export function countImageTags(text: string): number {
  return text.match(/<image>/g)?.length ?? 0;
}
