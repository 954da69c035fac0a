import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../../util/atomic-write.js';
import { loadSharp } from '../../util/load-sharp.js';
import type { GrayImage } from './draw-study.js';
import type { ImagingBenchmark } from './generate-imaging.js';

/** A grayscale image as PNG bytes, through sharp (libvips), which the image pipeline already uses. */
export async function encodeGrayPng(image: GrayImage): Promise<Buffer> {
  const sharp = await loadSharp();
  return sharp(Buffer.from(image.pixels), { raw: { width: image.width, height: image.height, channels: 1 } })
    .toColourspace('b-w')
    .png()
    .toBuffer();
}

/**
 * Write every film of the benchmark as `<id>.png` under its image directory. A file already
 * holding the same bytes is left alone, so a rerun does not touch what caches hashed.
 */
export async function writeImagingImages(benchmark: ImagingBenchmark): Promise<void> {
  await mkdir(benchmark.imageDirectory, { recursive: true });
  for (const [id, image] of benchmark.images) {
    const path = join(benchmark.imageDirectory, `${id}.png`);
    const bytes = await encodeGrayPng(image);
    if (existsSync(path) && (await readFile(path)).equals(bytes)) continue;
    await writeFileAtomically(path, bytes);
  }
}
