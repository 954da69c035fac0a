import { copyFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { writeAtomically } from '../../util/atomic-write.js';
import { type ImageLibrary, imageKey } from '../images/image-library.js';
import { imageFileName } from '../images/image-media-type.js';
import type { ImageRef } from '../item.js';

/** `copy`: images are copied under the dataset folder. `reference`: records point at the originals. */
export type ImagePlacement = 'copy' | 'reference';

/**
 * Gives each image a path relative to a dataset folder that is sure to exist: copied into
 * `<folder>/images/` (zip entries are always extracted), or, for `reference`, a relative path to
 * the original file. Each image is placed once however many items use it; names that clash get
 * a numeric prefix.
 */
export class ImagePlacer {
  readonly #folder: string;
  readonly #placement: ImagePlacement;
  readonly #library: ImageLibrary;
  readonly #placed = new Map<string, string>();
  readonly #names = new Set<string>();

  constructor(folder: string, placement: ImagePlacement, library: ImageLibrary) {
    this.#folder = folder;
    this.#placement = placement;
    this.#library = library;
  }

  /** The image's path relative to the dataset folder (forward slashes). */
  async place(image: ImageRef): Promise<string> {
    const key = imageKey(image);
    const known = this.#placed.get(key);
    if (known !== undefined) return known;
    let relativePath: string;
    if (this.#placement === 'reference' && 'path' in image) {
      relativePath = relative(this.#folder, image.path).split('\\').join('/');
    } else {
      relativePath = `images/${this.#uniqueName(imageFileName(image))}`;
      const target = join(this.#folder, relativePath);
      if ('path' in image) await writeAtomically(target, (temporary) => copyFile(image.path, temporary));
      else {
        const bytes = await this.#library.read(image);
        await writeAtomically(target, (temporary) => writeFile(temporary, bytes));
      }
    }
    this.#placed.set(key, relativePath);
    return relativePath;
  }

  #uniqueName(name: string): string {
    let candidate = name;
    for (let counter = 2; this.#names.has(candidate); counter++) candidate = `${counter}-${name}`;
    this.#names.add(candidate);
    return candidate;
  }
}
