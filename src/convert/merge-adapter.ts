import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutType } from './float-encoding.js';
import { convertGgufToHf } from './gguf-to-hf.js';
import { convertHfToGguf } from './hf-to-gguf.js';
import { type MergeLoraResult, mergeLoraAdapter } from './merge-lora-adapter.js';
import { convertPeftLoraToGguf } from './peft-lora-to-gguf.js';

export interface MergeAdapterOptions {
  /** A peft adapter folder, or a GGUF LoRA adapter. */
  adapter: string;
  /** Its base model: a Hugging Face folder or a GGUF file (F32, F16 or BF16). */
  base: string;
  /** A `.gguf` file, or else a folder for a Hugging Face checkpoint. */
  output: string;
  /** Element type of the merged matrices (default f16). */
  outType?: OutType;
  /** llama.cpp's user scale on top of alpha / rank (default 1). */
  scale?: number;
}

export interface MergeAdapterResult extends MergeLoraResult {
  format: 'gguf' | 'hf';
}

const isFolder = async (path: string): Promise<boolean> =>
  (await stat(path).catch(() => undefined))?.isDirectory() ?? false;

/**
 * Merge a LoRA adapter into its base, W' = W + scale · (alpha / r) · B·A, computed in float64 per
 * row on F32 copies, then stored in `outType`. Either side may be Hugging Face or GGUF; peft
 * adapters are converted (and checked against the base) first.
 */
export async function mergeAdapter(options: MergeAdapterOptions): Promise<MergeAdapterResult> {
  const outType = options.outType ?? 'f16';
  const scratch = await mkdtemp(join(tmpdir(), 'medistill-merge-'));
  try {
    let base = options.base;
    if (await isFolder(base)) {
      base = join(scratch, 'base.gguf');
      await convertHfToGguf({ input: options.base, output: base, outType: 'f32' });
    }
    let adapter = options.adapter;
    if (await isFolder(adapter)) {
      adapter = join(scratch, 'adapter.gguf');
      await convertPeftLoraToGguf({ adapterDir: options.adapter, base, output: adapter, outType: 'f32' });
    }
    const toGguf = options.output.endsWith('.gguf');
    const merged = toGguf ? options.output : join(scratch, 'merged.gguf');
    const result = await mergeLoraAdapter(base, adapter, merged, {
      storage: outType,
      ...(options.scale !== undefined ? { scale: options.scale } : {}),
    });
    if (!toGguf) await convertGgufToHf({ input: merged, output: options.output });
    return { ...result, output: options.output, format: toGguf ? 'gguf' : 'hf' };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
