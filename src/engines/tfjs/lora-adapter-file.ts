import { ModelFormatError } from '../../errors.js';
import {
  GgmlType,
  type GgufMetadata,
  type GgufTensorToWrite,
  gguf,
  metadataValue,
} from '../../gguf/gguf-types.js';
import { readGgufHeader, readGgufTensors } from '../../gguf/read-gguf.js';
import { writeGguf } from '../../gguf/write-gguf.js';
import type { LlamaWeights } from '../../model/llama-config.js';

export interface LoraAdapter {
  alpha: number;
  /** The base model's `general.architecture`; llama.cpp refuses an adapter of another. */
  architecture?: string;
  /** `<base name>.lora_a` with ggml shape [in, r] and `<base name>.lora_b` with [r, out]. */
  tensors: LlamaWeights;
  /** `general.*` strings (name, base model, training provenance). */
  general?: Record<string, string>;
}

/**
 * Write a LoRA adapter as llama.cpp loads it (llama_adapter_lora_init): general.type "adapter",
 * adapter.type "lora", adapter.lora.alpha, and tensor pairs whose shapes it validates against the
 * base: lora_a [in, r], lora_b [r, out] in ggml order. Written atomically.
 */
export async function writeLoraAdapter(path: string, adapter: LoraAdapter): Promise<void> {
  const metadata: GgufMetadata = new Map();
  metadata.set('general.architecture', gguf.string(adapter.architecture ?? 'llama'));
  metadata.set('general.type', gguf.string('adapter'));
  for (const [key, value] of Object.entries(adapter.general ?? {}))
    metadata.set(`general.${key}`, gguf.string(value));
  metadata.set('adapter.type', gguf.string('lora'));
  metadata.set('adapter.lora.alpha', gguf.float32(adapter.alpha));
  const tensors: GgufTensorToWrite[] = [...adapter.tensors].map(([name, tensor]) => ({
    name,
    shape: tensor.shape,
    data: tensor.data,
    type: GgmlType.F32,
  }));
  await writeGguf(path, metadata, tensors);
}

/** Read an adapter written by {@link writeLoraAdapter} (or by llama.cpp's converters, F32/F16). */
export async function readLoraAdapter(path: string): Promise<LoraAdapter> {
  const header = await readGgufHeader(path);
  if (
    metadataValue(header.metadata, 'general.type') !== 'adapter' ||
    metadataValue(header.metadata, 'adapter.type') !== 'lora'
  ) {
    throw new ModelFormatError('not a LoRA adapter (general.type must be "adapter", adapter.type "lora")', {
      file: path,
    });
  }
  const alpha = metadataValue(header.metadata, 'adapter.lora.alpha');
  const data = await readGgufTensors(path, header);
  const tensors: LlamaWeights = new Map();
  for (const info of header.tensors)
    tensors.set(info.name, { shape: info.shape, data: data.get(info.name)! });
  const architecture = metadataValue(header.metadata, 'general.architecture');
  return {
    alpha: typeof alpha === 'number' ? alpha : 0,
    tensors,
    ...(typeof architecture === 'string' ? { architecture } : {}),
  };
}
