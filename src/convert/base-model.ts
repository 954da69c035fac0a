import { stat } from 'node:fs/promises';
import { ModelFormatError } from '../errors.js';
import { metadataValue } from '../gguf/gguf-types.js';
import { readGgufHeader } from '../gguf/read-gguf.js';
import type { Architecture } from '../model/llama-config.js';
import { readHfModelFolder } from './hf-model-folder.js';
import { ggufTensorName } from './tensor-names.js';

/** What an adapter is checked against: the base's architecture, heads, and tensor shapes by GGUF name. */
export interface BaseModelShapes {
  path: string;
  architecture: string;
  headCount: number;
  headCountKv: number;
  /** ggml shapes ([in, out] for a matrix) by GGUF tensor name. */
  shapes: Map<string, number[]>;
}

/** Read a base model's shapes from a Hugging Face folder or a GGUF file (headers only). */
export async function readBaseModelShapes(path: string): Promise<BaseModelShapes> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new ModelFormatError('the base model does not exist', { file: path });
  if (info.isDirectory()) {
    const folder = await readHfModelFolder(path);
    const shapes = new Map<string, number[]>();
    for (const [name, tensor] of folder.tensors) {
      const ggufName = ggufTensorName(name);
      if (ggufName) shapes.set(ggufName, [...tensor.shape].reverse());
    }
    const { config, architecture } = folder.model;
    return { path, architecture, headCount: config.headCount, headCountKv: config.headCountKv, shapes };
  }
  const header = await readGgufHeader(path);
  if (metadataValue(header.metadata, 'general.type') === 'adapter')
    throw new ModelFormatError('this is a LoRA adapter, not a base model', {
      file: path,
      field: 'general.type',
    });
  const architecture = String(metadataValue(header.metadata, 'general.architecture') as Architecture);
  const headCount = Number(metadataValue(header.metadata, `${architecture}.attention.head_count`));
  const headCountKv = Number(
    metadataValue(header.metadata, `${architecture}.attention.head_count_kv`) ?? headCount,
  );
  return {
    path,
    architecture,
    headCount,
    headCountKv,
    shapes: new Map(header.tensors.map((tensor) => [tensor.name, tensor.shape])),
  };
}
