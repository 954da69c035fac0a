import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { ImageRef } from '../item.js';
import { ZipArchive } from './zip-archive.js';

/**
 * Finds, checks and reads the images items refer to, whether loose files or zip entries. Zip
 * archives are opened once and existence checks are cached, since many questions share an image.
 * One per load or export; call `close()` at the end.
 */
export class ImageLibrary {
  readonly #archives = new Map<string, Promise<ZipArchive>>();
  readonly #fileSizes = new Map<string, number | undefined>();

  /**
   * The reference for `name` under `root` (a folder or a .zip file), or undefined when no such
   * image exists. Absolute names are taken as they are.
   */
  async locate(name: string, root: string): Promise<ImageRef | undefined> {
    if (isZipPath(root) && !isAbsolute(name)) {
      const archive = await this.archive(root);
      const entry = archive.findEntry(name);
      return entry === undefined ? undefined : { zipPath: resolve(root), entry };
    }
    const path = isAbsolute(name) ? name : resolve(root, name);
    return (await this.#fileSize(path)) === undefined ? undefined : { path };
  }

  /** Whether the image exists: the file is there, or the archive holds the entry. */
  async exists(image: ImageRef): Promise<boolean> {
    return (await this.size(image)) !== undefined;
  }

  /** The image's size in bytes, or undefined when it does not exist. */
  async size(image: ImageRef): Promise<number | undefined> {
    if ('path' in image) return this.#fileSize(resolve(image.path));
    const archive = await this.archive(image.zipPath);
    return archive.entrySize(image.entry);
  }

  async read(image: ImageRef): Promise<Buffer> {
    if ('path' in image) return readFile(image.path);
    const archive = await this.archive(image.zipPath);
    return archive.read(image.entry);
  }

  archive(zipPath: string): Promise<ZipArchive> {
    const key = resolve(zipPath);
    let archive = this.#archives.get(key);
    if (!archive) {
      archive = ZipArchive.open(key);
      this.#archives.set(key, archive);
    }
    return archive;
  }

  async close(): Promise<void> {
    const archives = [...this.#archives.values()];
    this.#archives.clear();
    for (const archive of await Promise.allSettled(archives)) {
      if (archive.status === 'fulfilled') archive.value.close();
    }
  }

  async #fileSize(path: string): Promise<number | undefined> {
    if (this.#fileSizes.has(path)) return this.#fileSizes.get(path);
    const size = await stat(path).then(
      (stats) => (stats.isFile() ? stats.size : undefined),
      () => undefined,
    );
    this.#fileSizes.set(path, size);
    return size;
  }
}

export function isZipPath(path: string): boolean {
  return path.toLowerCase().endsWith('.zip');
}

/** A stable text key for an image reference, for maps and deduplication. */
export function imageKey(image: ImageRef): string {
  return 'path' in image ? resolve(image.path) : `${resolve(image.zipPath)}!${image.entry}`;
}
