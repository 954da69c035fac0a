/**
 * llama.cpp's image resize for LLaVA `mlp` projectors (tools/mtmd/mtmd-image.cpp, img_tool), so
 * the pixels the student trains on are the pixels llama-server encodes: Pillow's separable
 * bicubic filter (a = -0.5, widened when downsampling) with 22-bit fixed-point weights, a
 * horizontal then a vertical pass on 8-bit RGB, and a letterbox that keeps the aspect ratio
 * (sides rounded up) and pads with a fixed colour.
 */

const PRECISION_BITS = 32 - 8 - 2;
const SUPPORT = 2;

function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

interface Coefficients {
  size: number;
  bounds: Int32Array;
  weights: Int32Array;
}

function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const size = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * size);
  const fixed = 2 ** PRECISION_BITS;
  for (let out = 0; out < outSize; out++) {
    const center = (out + 0.5) * scale;
    const min = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - min;
    const row: number[] = [];
    let total = 0;
    for (let x = 0; x < count; x++) {
      const w = bicubic((x + min - center + 0.5) / filterScale);
      row.push(w);
      total += w;
    }
    for (let x = 0; x < count; x++) {
      const w = total !== 0 ? row[x]! / total : row[x]!;
      // Pillow adds +/- 0.5 and truncates toward zero.
      weights[out * size + x] = Math.trunc(w * fixed + (w < 0 ? -0.5 : 0.5));
    }
    bounds[out * 2] = min;
    bounds[out * 2 + 1] = count;
  }
  return { size, bounds, weights };
}

const clip8 = (value: number): number => Math.min(Math.max(value, 0), 255);

/** One separable pass: each of `lines` lines resampled to `outSize` pixels; `at` / `target` give byte offsets. */
function pass(
  source: Uint8Array,
  lines: number,
  outSize: number,
  c: Coefficients,
  at: (line: number, index: number) => number,
  out: Uint8Array,
  target: (line: number, index: number) => number,
): void {
  const half = 1 << (PRECISION_BITS - 1);
  for (let line = 0; line < lines; line++) {
    for (let o = 0; o < outSize; o++) {
      const min = c.bounds[o * 2]!;
      const count = c.bounds[o * 2 + 1]!;
      for (let channel = 0; channel < 3; channel++) {
        let sum = half;
        for (let k = 0; k < count; k++)
          sum += source[at(line, min + k) + channel]! * c.weights[o * c.size + k]!;
        out[target(line, o) + channel] = clip8(sum >> PRECISION_BITS);
      }
    }
  }
}

/** Pillow-style bicubic resize of interleaved RGB bytes, as mtmd's resize_pillow does it. */
export function resizeBicubic(
  rgb: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Uint8Array {
  let pixels = rgb;
  let currentWidth = width;
  if (outWidth !== width) {
    const out = new Uint8Array(outWidth * height * 3);
    const c = coefficients(width, outWidth);
    pass(
      pixels,
      height,
      outWidth,
      c,
      (y, x) => (y * width + x) * 3,
      out,
      (y, x) => (y * outWidth + x) * 3,
    );
    pixels = out;
    currentWidth = outWidth;
  }
  if (outHeight !== height) {
    const out = new Uint8Array(currentWidth * outHeight * 3);
    const c = coefficients(height, outHeight);
    const w = currentWidth;
    pass(
      pixels,
      w,
      outHeight,
      c,
      (x, y) => (y * w + x) * 3,
      out,
      (x, y) => (y * w + x) * 3,
    );
    pixels = out;
  }
  return pixels;
}

/**
 * Fit the image in a size x size square as llama.cpp's fixed-size preprocessor does (PAD_CEIL):
 * an image of exactly that size is kept as it is; any other is scaled by min(size/w, size/h)
 * in float32, sides rounded up, resized, and centred on the pad colour.
 */
export function letterbox(
  rgb: Uint8Array,
  width: number,
  height: number,
  size: number,
  pad: readonly [number, number, number],
): Uint8Array {
  if (width === size && height === size) return rgb;
  const f = Math.fround;
  const scale = Math.min(f(size / width), f(size / height));
  const newWidth = Math.min(Math.ceil(f(width * scale)), size);
  const newHeight = Math.min(Math.ceil(f(height * scale)), size);
  const resized = resizeBicubic(rgb, width, height, newWidth, newHeight);
  const out = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) out.set(pad, i * 3);
  const left = Math.trunc((size - newWidth) / 2);
  const top = Math.trunc((size - newHeight) / 2);
  for (let y = 0; y < newHeight; y++)
    out.set(resized.subarray(y * newWidth * 3, (y + 1) * newWidth * 3), ((y + top) * size + left) * 3);
  return out;
}
