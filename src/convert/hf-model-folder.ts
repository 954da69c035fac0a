import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ModelFormatError } from '../errors.js';
import { type HfModelConfig, hfConfigSchema, hfModelConfig } from './hf-config.js';
import { exists, readJsonFile } from './json-file.js';
import { readSafetensorsHeader, type SafetensorsTensorInfo } from './safetensors.js';

/** A Hugging Face model folder: its config and where each of its tensors lies. */
export interface HfModelFolder {
  directory: string;
  configFile: string;
  model: HfModelConfig;
  /** Every tensor of the checkpoint by its Hugging Face name, across shards. */
  tensors: Map<string, SafetensorsTensorInfo>;
  /** The file that lists the tensors: model.safetensors, or the shard index. */
  weightsFile: string;
}

const indexSchema = z.object({ weight_map: z.record(z.string(), z.string()) }).passthrough();

/**
 * Open a Hugging Face model folder: config.json, and the weights as one model.safetensors or as
 * shards listed by model.safetensors.index.json. Reads headers only.
 */
export async function readHfModelFolder(directory: string): Promise<HfModelFolder> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory())
    throw new ModelFormatError('not a folder (a Hugging Face model is a folder with config.json)', {
      file: directory,
    });
  const configFile = join(directory, 'config.json');
  const raw = await readJsonFile(
    configFile,
    hfConfigSchema,
    'no config.json: this is not a Hugging Face model folder',
  );
  const model = hfModelConfig(raw, configFile);
  const single = join(directory, 'model.safetensors');
  const indexFile = join(directory, 'model.safetensors.index.json');
  const tensors = new Map<string, SafetensorsTensorInfo>();
  if (await exists(single)) {
    for (const [name, tensor] of (await readSafetensorsHeader(single)).tensors) tensors.set(name, tensor);
    return { directory, configFile, model, tensors, weightsFile: single };
  }
  if (await exists(indexFile)) {
    const index = await readJsonFile(indexFile, indexSchema, 'cannot read the shard index');
    const shards = [...new Set(Object.values(index.weight_map))];
    for (const shard of shards) {
      if (shard.includes('/') || shard.includes('\\') || shard.startsWith('.'))
        throw new ModelFormatError(`shard "${shard}" is not a file name in this folder`, {
          file: indexFile,
          field: 'weight_map',
        });
      const header = await readSafetensorsHeader(join(directory, shard));
      for (const [name, tensor] of header.tensors) tensors.set(name, tensor);
    }
    for (const [name, shard] of Object.entries(index.weight_map)) {
      if (tensors.get(name)?.file !== join(directory, shard))
        throw new ModelFormatError(`tensor is not in ${shard}`, {
          file: indexFile,
          field: `weight_map.${name}`,
        });
    }
    return { directory, configFile, model, tensors, weightsFile: indexFile };
  }
  const legacy = (await exists(join(directory, 'pytorch_model.bin')))
    ? ' (pytorch_model.bin is not read: save the model with safe_serialization=True)'
    : '';
  throw new ModelFormatError(
    `no weights: expected model.safetensors or model.safetensors.index.json${legacy}`,
    { file: directory },
  );
}
