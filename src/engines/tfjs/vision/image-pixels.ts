import { InputError } from '../../../errors.js';
import { loadSharp } from '../../../util/load-sharp.js';
import { letterbox } from './pillow-resize.js';
import type { ImageEncoderConfig } from './projector-file.js';

/** llama.cpp's pad colour for LLaVA `mlp` projectors (clip.cpp, PROJECTOR_TYPE_MLP). */
const PAD_COLOUR = [122, 116, 104] as const;

/** The bytes of a `data:image/...;base64,` URL (the only image URLs training data may hold). */
export function dataUrlBytes(url: string): Buffer {
  const match = /^data:image\/[\w.+-]+;base64,(.*)$/s.exec(url);
  if (!match) throw new InputError(`image URL is not a base64 data URL: "${url.slice(0, 40)}..."`);
  return Buffer.from(match[1]!, 'base64');
}

/**
 * RGB bytes of the image at the encoder's input size, as llama.cpp's fixed-size preprocessor
 * makes them (see pillow-resize.ts). Decoding is sharp's: PNG pixels are exactly the ones
 * llama.cpp's stb_image reads; JPEG decoders may differ by a level or two.
 */
export async function preprocessImage(bytes: Buffer, size: number): Promise<Buffer> {
  const sharp = await loadSharp();
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new InputError(`expected an RGB image, got ${info.channels} channels`);
  return Buffer.from(letterbox(data, info.width, info.height, size, PAD_COLOUR));
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
