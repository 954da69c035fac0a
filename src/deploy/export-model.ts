import { rm } from 'node:fs/promises';
import { type MergeLoraResult, mergeLoraAdapter } from '../convert/merge-lora-adapter.js';
import {
  isQuantizeType,
  QUANTIZE_TYPES,
  type QuantizeModelResult,
  type QuantizeType,
  quantizeModelFile,
} from '../engines/llama-cpp/quantize-model.js';
import { ConfigError } from '../errors.js';
import { readGgufHeader } from '../gguf/read-gguf.js';
import { temporaryPathFor } from '../util/atomic-write.js';

export interface ExportModelOptions {
  /** The student (or any GGUF model) to export. */
  model: string;
  /** A LoRA adapter to merge into `model` first. */
  adapter?: string;
  type: string;
  out: string;
  /** llama.cpp's quantization threads (default: one per core). */
  threads?: number;
  signal?: AbortSignal;
}

export interface ExportModelResult extends Omit<QuantizeModelResult, 'log'> {
  /** Present when an adapter was merged. */
  merge?: Omit<MergeLoraResult, 'output'>;
}

/** The quantization type named by a user, or a ConfigError listing the types there are. */
export function parseExportType(type: string): QuantizeType {
  if (!isQuantizeType(type)) {
    throw new ConfigError(`unknown export type "${type}" (one of ${Object.keys(QUANTIZE_TYPES).join(', ')})`);
  }
  return type;
}

/**
 * `medistill export`: merge a LoRA adapter into its base (when one is given), then quantize with
 * llama.cpp's own quantizer. The result names every weight matrix that fell back to another type
 * because its rows do not fit the requested one (k-quants need rows that are a multiple of 256).
 */
export async function exportModel(options: ExportModelOptions): Promise<ExportModelResult> {
  const type = parseExportType(options.type);
  await readGgufHeader(options.model);
  const quantizeOptions = {
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  if (!options.adapter) {
    const { log: _log, ...result } = await quantizeModelFile(
      options.model,
      options.out,
      type,
      quantizeOptions,
    );
    return result;
  }
  const merged = temporaryPathFor(options.out);
  try {
    const { output: _output, ...merge } = await mergeLoraAdapter(options.model, options.adapter, merged);
    const { log: _log, ...result } = await quantizeModelFile(merged, options.out, type, quantizeOptions);
    return { ...result, merge };
  } finally {
    await rm(merged, { force: true });
  }
}
