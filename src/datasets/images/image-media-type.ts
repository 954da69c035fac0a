import { extname } from 'node:path';
import type { ImageRef } from '../item.js';

const mediaTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

/** The media type named by the image's extension; JPEG when unknown, the commonest in medical VQA. */
export function imageMediaType(image: ImageRef): string {
  const name = 'path' in image ? image.path : image.entry;
  return mediaTypes[extname(name).toLowerCase()] ?? 'image/jpeg';
}

/** The image's file name, wherever it lives. */
export function imageFileName(image: ImageRef): string {
  const name = 'path' in image ? image.path : image.entry;
  return name.split(/[\\/]/).pop() ?? name;
}

export function toDataUrl(image: ImageRef, bytes: Uint8Array): string {
  return `data:${imageMediaType(image)};base64,${Buffer.from(bytes).toString('base64')}`;
}
