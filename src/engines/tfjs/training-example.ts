import { seededRandom } from '../../model/random-weights.js';
import type { TokenBatch } from './llama-network.js';

/** An image in a tokenized example: its first placeholder token and its encoder input. */
export interface ExampleImage {
  /** Index of the first of the image's placeholder tokens in `tokens`. */
  position: number;
  /** Normalised planar pixels [3, S, S], as llama.cpp's clip preprocessing gives them. */
  pixels: Float32Array;
}

/** One tokenized example; `lossMask[i]` is 1 where token i is an answer token to learn. */
export interface TrainingExample {
  tokens: Int32Array;
  lossMask: Uint8Array;
  /** Vision examples: each image's placeholder tokens take the encoder's embeddings instead. */
  images?: ExampleImage[];
}

/** The images of a batch: where each starts (flattened input row) and all their pixels in order. */
export interface BatchImages {
  startRows: Int32Array;
  pixels: Float32Array;
}

/** Positions that predict an answer token (token 0 is never predicted). */
export function lossTokenCount(example: TrainingExample): number {
  let count = 0;
  for (let i = 1; i < example.tokens.length; i++) if (example.lossMask[i]) count++;
  return count;
}

/** A padded batch and how many of its input positions are real tokens (for tokens/s). */
export interface TrainingBatch extends TokenBatch {
  realTokens: number;
  images?: BatchImages;
}

/**
 * Right-pad examples into one batch. Row j of a sequence reads token j and predicts token j+1,
 * so the input length is the longest example minus one; pads (token `padToken`) carry no loss.
 */
export function makeBatch(examples: readonly TrainingExample[], padToken = 0): TrainingBatch {
  const length = Math.max(1, ...examples.map((example) => example.tokens.length - 1));
  const tokens = new Int32Array(examples.length * length).fill(padToken);
  const lossRows: number[] = [];
  const targets: number[] = [];
  let realTokens = 0;
  const startRows: number[] = [];
  const pixels: Float32Array[] = [];
  examples.forEach((example, row) => {
    const inputLength = example.tokens.length - 1;
    realTokens += inputLength;
    for (const image of example.images ?? []) {
      startRows.push(row * length + image.position);
      pixels.push(image.pixels);
    }
    tokens.set(example.tokens.subarray(0, inputLength), row * length);
    for (let j = 0; j < inputLength; j++) {
      if (example.lossMask[j + 1]) {
        lossRows.push(row * length + j);
        targets.push(example.tokens[j + 1]!);
      }
    }
  });
  return {
    tokens,
    batch: examples.length,
    length,
    lossRows: Int32Array.from(lossRows),
    targets: Int32Array.from(targets),
    realTokens,
    ...(startRows.length > 0
      ? { images: { startRows: Int32Array.from(startRows), pixels: concat(pixels) } }
      : {}),
  };
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Fisher-Yates with a seeded generator: the same seed gives the same order everywhere. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The epoch's batches: the order depends only on (seed, epoch), so a run resumed at an epoch
 * boundary sees exactly the batches an uninterrupted run would.
 */
export function epochBatches(
  examples: readonly TrainingExample[],
  batchSize: number,
  seed: number,
  epoch: number,
): TrainingBatch[] {
  const order = seededShuffle(examples, (Math.imul(seed, 0x9e3779b1) + epoch) >>> 0);
  const batches: TrainingBatch[] = [];
  for (let start = 0; start < order.length; start += batchSize)
    batches.push(makeBatch(order.slice(start, start + batchSize)));
  return batches;
}

/** Hold out `fraction` of the examples (at least one when the fraction is positive and there are two or more). */
export function splitExamples(
  examples: readonly TrainingExample[],
  fraction: number,
  seed: number,
): { train: TrainingExample[]; validation: TrainingExample[] } {
  const shuffled = seededShuffle(examples, seed >>> 0);
  if (fraction <= 0 || shuffled.length < 2) return { train: shuffled, validation: [] };
  const count = Math.min(shuffled.length - 1, Math.max(1, Math.round(shuffled.length * fraction)));
  return { train: shuffled.slice(count), validation: shuffled.slice(0, count) };
}
