import type { Metadata } from 'sharp';
import type { DatasetProblem, DatasetProblemCode } from '../datasets/dataset-problem.js';
import { type ImageLibrary, imageKey } from '../datasets/images/image-library.js';
import type { ImageRef, Item } from '../datasets/item.js';
import { InputError } from '../errors.js';
import type { ImagePart } from '../models/language-model.js';
import { loadSharp } from '../util/load-sharp.js';
import { defaultImageLimits, type ImageLimits, targetSize } from './image-limits.js';

/** Formats every vision server we target decodes; others (SVG, HEIF, raw) are refused per item. */
const acceptedFormats = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff']);

/** An image checked, resized to the model's limits and encoded, ready to send. */
export interface PreparedImage {
  /** Exactly what goes into a message: nothing else, so request hashes hold no paths. */
  part: ImagePart;
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
  /** The decoder sharp used (jpeg, png, ...). */
  sourceFormat: string;
  resized: boolean;
}

/** One image that cannot be sent, with the dataset problem code it maps to. */
export class ImageProblemError extends InputError {
  override readonly name = 'ImageProblemError';
  constructor(
    readonly code: DatasetProblemCode,
    readonly image: ImageRef,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`image "${describeImage(image)}" ${message}`, undefined, options);
  }
}

/** The image's path, or `archive.zip!entry`, for messages. */
export function describeImage(image: ImageRef): string {
  return 'path' in image ? image.path : `${image.zipPath}!${image.entry}`;
}

export interface VisionImagesOptions {
  limits?: ImageLimits;
  /** Prepared images kept for reuse (many questions share one image; default 64). */
  cacheSize?: number;
}

/**
 * Reads item images through the dataset layer's ImageLibrary (files or zip entries), refuses
 * what cannot be sent (missing, oversized, unsupported or corrupt: a per-item problem naming the
 * file and line), and resizes and encodes the rest within the model's limits.
 */
export class VisionImages {
  readonly limits: ImageLimits;
  readonly #library: ImageLibrary;
  readonly #cacheSize: number;
  readonly #cache = new Map<string, Promise<PreparedImage>>();

  constructor(library: ImageLibrary, options: VisionImagesOptions = {}) {
    this.#library = library;
    this.limits = options.limits ?? defaultImageLimits;
    this.#cacheSize = options.cacheSize ?? 64;
  }

  /** The image prepared for sending, or an ImageProblemError saying why it cannot be. */
  prepare(image: ImageRef): Promise<PreparedImage> {
    const key = imageKey(image);
    let prepared = this.#cache.get(key);
    if (prepared === undefined) {
      prepared = this.#prepareUncached(image);
      // Failures are not cached: a file fixed on disk is read again.
      prepared.catch(() => this.#cache.delete(key));
      this.#cache.set(key, prepared);
      if (this.#cache.size > this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return prepared;
  }

  /** All of an item's images, or the first problem found, placed at the item's source line. */
  async prepareItem(item: Item): Promise<{ images: PreparedImage[] } | { problem: DatasetProblem }> {
    const images: PreparedImage[] = [];
    for (const image of item.images ?? []) {
      try {
        images.push(await this.prepare(image));
      } catch (error) {
        if (!(error instanceof ImageProblemError)) throw error;
        return { problem: imageProblem(item, error) };
      }
    }
    return { images };
  }

  /** A mid-grey image of the same size and encoding: the "blank image" control. */
  async blankLike(image: PreparedImage): Promise<PreparedImage> {
    const sharp = await loadSharp();
    const canvas = sharp({
      create: {
        width: image.width,
        height: image.height,
        channels: 3,
        background: { r: 128, g: 128, b: 128 },
      },
    });
    const jpeg = image.part.mediaType === 'image/jpeg';
    const data = jpeg
      ? await canvas.jpeg({ quality: this.limits.jpegQuality }).toBuffer()
      : await canvas.png().toBuffer();
    return {
      ...image,
      part: { type: 'image', mediaType: image.part.mediaType, data: new Uint8Array(data) },
      resized: false,
    };
  }

  async #prepareUncached(image: ImageRef): Promise<PreparedImage> {
    const size = await this.#library.size(image);
    if (size === undefined) throw new ImageProblemError('missing-image', image, 'does not exist');
    if (size > this.limits.maxInputBytes)
      throw new ImageProblemError(
        'image-too-large',
        image,
        `is ${size} bytes, over the ${this.limits.maxInputBytes}-byte limit`,
      );
    const bytes = await this.#library.read(image);
    const sharp = await loadSharp();
    let metadata: Metadata;
    try {
      metadata = await sharp(bytes).metadata();
    } catch (error) {
      throw new ImageProblemError('invalid-value', image, `is not a readable image (${errorText(error)})`, {
        cause: error,
      });
    }
    if (!acceptedFormats.has(metadata.format))
      throw new ImageProblemError(
        'unsupported',
        image,
        `is ${metadata.format}, which vision models do not take`,
      );
    const { width, height } = metadata.autoOrient;
    const target = targetSize(width, height, this.limits);
    if (target === undefined)
      throw new ImageProblemError(
        'unsupported',
        image,
        `is ${width}x${height}: no size within the limits keeps its shape`,
      );
    const outputJpeg =
      this.limits.encoding === 'jpeg' || (this.limits.encoding === 'auto' && metadata.format === 'jpeg');
    const mediaType = outputJpeg ? 'image/jpeg' : 'image/png';
    const keepBytes =
      !target.resized &&
      (metadata.orientation ?? 1) === 1 &&
      metadata.format === (outputJpeg ? 'jpeg' : 'png');
    let data: Buffer;
    try {
      // `failOn: error` decodes every pixel, so a truncated file fails here rather than at the server.
      const pipeline = sharp(bytes, { failOn: 'error', pages: 1 }).autoOrient();
      if (keepBytes) {
        await pipeline.raw().toBuffer();
        data = bytes;
      } else {
        const resized = pipeline.resize(target.width, target.height, { fit: 'fill' });
        data = outputJpeg
          ? await resized
              .flatten({ background: '#ffffff' })
              .jpeg({ quality: this.limits.jpegQuality })
              .toBuffer()
          : await resized.png().toBuffer();
      }
    } catch (error) {
      throw new ImageProblemError('invalid-value', image, `is corrupt (${errorText(error)})`, {
        cause: error,
      });
    }
    return {
      part: { type: 'image', mediaType, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) },
      width: target.width,
      height: target.height,
      sourceWidth: width,
      sourceHeight: height,
      sourceFormat: metadata.format,
      resized: target.resized,
    };
  }
}

/** A DatasetProblem for an item whose image cannot be sent, at the item's file and line. */
export function imageProblem(item: Item, error: ImageProblemError): DatasetProblem {
  const problem: DatasetProblem = {
    code: error.code,
    severity: 'error',
    file: item.source?.file ?? '(items)',
    field: 'images',
    itemId: item.id,
    message: `${error.message}; item skipped`,
  };
  if (item.source?.line !== undefined) problem.line = item.source.line;
  return problem;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
