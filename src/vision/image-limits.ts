import { z } from 'zod';

/**
 * What a vision model accepts, and how images are sent to it. Strict: these come from flags and
 * configs. The defaults suit Qwen-VL students and hosted VLMs alike: at most 1024 px a side and
 * about a megapixel (LLaMA-Factory's `image_max_pixels` is 768 x 768 by default), at least 28 px
 * a side (one Qwen-VL patch pair), and the 10 MB per-image cap of the fine-tuning services.
 */
export const imageLimitsSchema = z.strictObject({
  /** Longest side after resizing, in pixels. */
  maxSide: z.number().int().positive().default(1024),
  /** Largest pixel count after resizing. */
  maxPixels: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  /** Shortest side after resizing: smaller images are scaled up to it. */
  minSide: z.number().int().positive().default(28),
  /** Largest source file accepted, in bytes; bigger files are a per-item problem, never decoded. */
  maxInputBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** `auto` keeps JPEG as JPEG and sends everything else as PNG. */
  encoding: z.enum(['auto', 'png', 'jpeg']).default('auto'),
  jpegQuality: z.number().int().min(1).max(100).default(90),
});
export type ImageLimits = z.infer<typeof imageLimitsSchema>;
export type ImageLimitsInput = z.input<typeof imageLimitsSchema>;

export const defaultImageLimits: ImageLimits = imageLimitsSchema.parse({});

export interface TargetSize {
  width: number;
  height: number;
  resized: boolean;
}

/**
 * The size an image is sent at: scaled down (aspect kept) until it fits the side and pixel
 * limits, or up until its short side reaches the minimum. Undefined when no size satisfies both
 * (a 5000 x 20 strip), which the caller reports rather than distorting the image.
 */
export function targetSize(width: number, height: number, limits: ImageLimits): TargetSize | undefined {
  let scale = Math.min(
    1,
    limits.maxSide / Math.max(width, height),
    Math.sqrt(limits.maxPixels / (width * height)),
  );
  if (Math.min(width, height) * scale < limits.minSide) scale = limits.minSide / Math.min(width, height);
  // Round towards the limit being kept: down when shrinking, up when growing (with a little
  // slack for floating-point error, so 28 / 10 * 10 stays 28).
  const round = (value: number): number =>
    Math.max(1, scale < 1 ? Math.floor(value + 1e-9) : Math.ceil(value - 1e-9));
  const target = { width: round(width * scale), height: round(height * scale) };
  if (
    Math.max(target.width, target.height) > limits.maxSide ||
    target.width * target.height > limits.maxPixels
  )
    return undefined;
  return { ...target, resized: target.width !== width || target.height !== height };
}
