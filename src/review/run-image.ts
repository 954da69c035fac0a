import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { imageMediaType } from '../datasets/images/image-media-type.js';
import { ZipArchive } from '../datasets/images/zip-archive.js';
import type { ImageRef, Item } from '../datasets/item.js';

/** Whether `path` (symbolic links resolved) lies inside `directory` (resolved the same way). */
export async function isInsideDirectory(path: string, directory: string): Promise<boolean> {
  let real: string;
  let root: string;
  try {
    [real, root] = await Promise.all([realpath(path), realpath(directory)]);
  } catch {
    return false;
  }
  const inside = relative(root, real);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside);
}

/**
 * The bytes of an item's image, only when the file (or the zip holding it) lies inside the run
 * directory: the viewer never reads a path a request or an item could point elsewhere. Relative
 * references are taken from the run directory.
 */
export async function readRunImage(
  runDirectory: string,
  item: Item,
  index: number,
): Promise<{ bytes: Buffer; mediaType: string } | undefined> {
  const image: ImageRef | undefined = item.images?.[index];
  if (!image) return undefined;
  const file = resolve(runDirectory, 'path' in image ? image.path : image.zipPath);
  if (!(await isInsideDirectory(file, runDirectory))) return undefined;
  const real = await realpath(file);
  if ('path' in image) {
    return { bytes: await readFile(real), mediaType: imageMediaType(image) };
  }
  const archive = await ZipArchive.open(real);
  try {
    if (archive.entrySize(image.entry) === undefined) return undefined;
    return { bytes: await archive.read(image.entry), mediaType: imageMediaType(image) };
  } finally {
    archive.close();
  }
}
