import sharp from 'sharp';
import type { ImagePart } from '../../src/models/language-model.js';

/** A solid-colour PNG. */
export async function solidPng(width: number, height: number, colour: { r: number; g: number; b: number }) {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

/** A PNG with a diagonal gradient whose direction and tint depend on `variant`: structured, unlike noise. */
export async function gradientPng(width: number, height: number, variant: number): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const along = variant % 2 === 0 ? x / width : y / height;
      const offset = (y * width + x) * 3;
      pixels[offset] = Math.round(255 * along);
      pixels[offset + 1] = Math.round(255 * (1 - along) * ((variant % 3) / 2));
      pixels[offset + 2] = (variant * 53) % 256;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export function pngPart(data: Buffer): ImagePart {
  return { type: 'image', mediaType: 'image/png', data: new Uint8Array(data) };
}

/** An OpenAI chat user message: the image (a URL, data URLs included), then the question. */
export function imageQuestionMessage(url: string, question: string) {
  return {
    role: 'user' as const,
    content: [
      { type: 'image_url' as const, image_url: { url } },
      { type: 'text' as const, text: question },
    ],
  };
}
