import { rename, rm } from 'node:fs/promises';
import { quantizeModelFile } from '../engines/llama-cpp/quantize-model.js';
import { ConfigError } from '../errors.js';
import { type LlamaConfig, parameterCount } from '../model/llama-config.js';
import { writeLlamaModel } from '../model/llama-model-file.js';
import { createPresetModel, type PresetOptions } from '../model/presets.js';

/** Storage types `model new --preset` writes: plain floats, or llama.cpp's pure Q8_0 / Q4_K. */
export const PRESET_TYPES = ['f32', 'f16', 'q8_0', 'q4_k'] as const;
export type PresetType = (typeof PRESET_TYPES)[number];

export interface PresetModelFileOptions extends PresetOptions {
  preset: string;
  out: string;
  type?: PresetType;
}

/**
 * Write a random-weight model of a published family (see presets.ts) as GGUF: F32 or F16
 * directly, Q8_0 or Q4_K by writing F32 and quantizing with llama.cpp's own quantizer.
 */
export async function createPresetModelFile(
  options: PresetModelFileOptions,
): Promise<{ path: string; parameters: number; config: LlamaConfig; typeCounts?: Record<string, number> }> {
  const type = options.type ?? 'f32';
  if (!PRESET_TYPES.includes(type)) {
    throw new ConfigError(`unknown model type "${type}" (one of ${PRESET_TYPES.join(', ')})`);
  }
  const model = createPresetModel(options.preset, options);
  const result = { path: options.out, parameters: parameterCount(model.config), config: model.config };
  if (type === 'f32' || type === 'f16') {
    await writeLlamaModel(options.out, model, type);
    return result;
  }
  const staging = `${options.out}.f32.tmp`;
  try {
    await writeLlamaModel(staging, model, 'f32');
    model.weights.clear();
    const quantized = await quantizeModelFile(staging, `${options.out}.tmp`, type);
    await rename(`${options.out}.tmp`, options.out);
    return { ...result, typeCounts: quantized.typeCounts };
  } finally {
    await rm(staging, { force: true });
    await rm(`${options.out}.tmp`, { force: true });
  }
}
