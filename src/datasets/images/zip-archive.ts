import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { Entry, ZipFile } from 'yauzl';
import yauzl from 'yauzl';

/**
 * A zip file opened once: its entry names are indexed (full path, and file name where unique) so
 * existence checks are lookups, and entries are read on demand. Close it when done.
 */
export class ZipArchive {
  readonly path: string;
  readonly #zip: ZipFile;
  readonly #entries: Map<string, Entry>;
  readonly #byFileName: Map<string, string | null>;

  private constructor(path: string, zip: ZipFile, entries: Map<string, Entry>) {
    this.path = path;
    this.#zip = zip;
    this.#entries = entries;
    this.#byFileName = new Map();
    for (const name of entries.keys()) {
      const fileName = basename(name);
      // null marks a file name that occurs in several folders: only the full path finds it.
      this.#byFileName.set(fileName, this.#byFileName.has(fileName) ? null : name);
    }
  }

  static async open(path: string): Promise<ZipArchive> {
    const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
    const entries = new Map<string, Entry>();
    for await (const entry of zip.eachEntry()) {
      if (!entry.fileName.endsWith('/')) entries.set(entry.fileName, entry);
    }
    return new ZipArchive(path, zip, entries);
  }

  /** The entry name for a path inside the archive, or (if unambiguous) for a bare file name. */
  findEntry(name: string): string | undefined {
    const normalised = name.replace(/\\/g, '/').replace(/^\.\//, '');
    if (this.#entries.has(normalised)) return normalised;
    return this.#byFileName.get(basename(normalised)) ?? undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The uncompressed size the archive records for an entry. */
  entrySize(name: string): number | undefined {
    return this.#entries.get(name)?.uncompressedSize;
  }

  async read(name: string): Promise<Buffer> {
    const entry = this.#entries.get(name);
    if (!entry) throw new Error(`${this.path}: no entry "${name}"`);
    const stream: Readable = await this.#zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  close(): void {
    this.#zip.close();
  }
}
