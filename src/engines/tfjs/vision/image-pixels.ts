import sharp from 'sharp';
import { InputError } from '../../../errors.js';
import type { ImageEncoderConfig } from './projector-file.js';

/** llama.cpp's pad colour for LLaVA `mlp` projectors (clip.cpp, PROJECTOR_TYPE_MLP). */
const PAD_COLOUR = { r: 122, g: 116, b: 104 };

/** The bytes of a `data:image/...;base64,` URL (the only image URLs training data may hold). */
export function dataUrlBytes(url: string): Buffer {
  const match = /^data:image\/[\w.+-]+;base64,(.*)$/s.exec(url);
  if (!match) throw new InputError(`image URL is not a base64 data URL: "${url.slice(0, 40)}..."`);
  return Buffer.from(match[1]!, 'base64');
}

/**
 * RGB bytes of the image at the encoder's input size, as llama.cpp's fixed-size preprocessor
 * makes them: an image of exactly that size is used as it is; any other is scaled to fit
 * (sides rounded up), centred and padded with the LLaVA pad colour. llama.cpp resizes with its
 * own Pillow-style bicubic filter and sharp with its cubic kernel, so resized pixels can differ
 * by a few levels; images drawn at the input size are bit-identical.
 */
export async function preprocessImage(bytes: Buffer, size: number): Promise<Buffer> {
  const image = sharp(bytes).removeAlpha().toColourspace('srgb');
  const { width, height } = await image.metadata();
  if (!width || !height) throw new InputError('the image has no dimensions');
  if (width === size && height === size) return image.raw().toBuffer();
  const scale = Math.min(size / width, size / height);
  const newWidth = Math.min(Math.ceil(width * scale), size);
  const newHeight = Math.min(Math.ceil(height * scale), size);
  const left = Math.floor((size - newWidth) / 2);
  const top = Math.floor((size - newHeight) / 2);
  return image
    .resize(newWidth, newHeight, { fit: 'fill', kernel: 'cubic' })
    .extend({
      left,
      top,
      right: size - newWidth - left,
      bottom: size - newHeight - top,
      background: PAD_COLOUR,
    })
    .raw()
    .toBuffer();
}

/** Interleaved RGB bytes to normalised planar pixels [3, S, S]: (v / 255 - mean) / std per channel. */
export function normalisePixels(rgb: Uint8Array, config: ImageEncoderConfig): Float32Array {
  const pixels = config.imageSize * config.imageSize;
  if (rgb.length !== pixels * 3) throw new InputError(`expected ${pixels * 3} RGB bytes, got ${rgb.length}`);
  const out = new Float32Array(pixels * 3);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(config.imageMean[c]!);
    const std = Math.fround(config.imageStd[c]!);
    for (let i = 0; i < pixels; i++)
      out[c * pixels + i] = Math.fround(Math.fround(rgb[i * 3 + c]! / 255) - mean) / std;
  }
  return out;
}

/** An image URL from training data to the encoder's input. */
export async function imagePixels(url: string, config: ImageEncoderConfig): Promise<Float32Array> {
  const rgb = await preprocessImage(dataUrlBytes(url), config.imageSize);
  return normalisePixels(rgb, config);
}
