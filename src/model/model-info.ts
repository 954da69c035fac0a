import { stat } from 'node:fs/promises';
import { ggmlTypeName, metadataValue } from '../gguf/gguf-types.js';
import { elementCount, readGgufHeader } from '../gguf/read-gguf.js';

export interface ModelInfo {
  file: string;
  fileBytes: number;
  ggufVersion: number;
  architecture: string;
  name?: string;
  parameters: number;
  tensorCount: number;
  tensorTypes: Record<string, number>;
  contextLength?: number;
  embeddingLength?: number;
  blockCount?: number;
  headCount?: number;
  headCountKv?: number;
  feedForwardLength?: number;
  tokenizer: { model?: string; pre?: string; vocabSize?: number; mergeCount?: number };
  chatTemplate?: { kind: string; text: string };
  isLoraAdapter: boolean;
}

/** Name the template family from its markers, the way chat wrappers are detected. */
export function chatTemplateKind(template: string): string {
  if (template.includes('<|im_start|>')) return 'chatml';
  if (template.includes('[INST]')) return 'llama2/mistral';
  if (template.includes('<|start_header_id|>')) return 'llama3';
  if (template.includes('<start_of_turn>')) return 'gemma';
  return 'custom';
}

/** Describe any GGUF file (any architecture or quantization) from its header alone. */
export async function modelInfo(path: string): Promise<ModelInfo> {
  const header = await readGgufHeader(path);
  const { metadata } = header;
  const architecture = String(metadataValue(metadata, 'general.architecture') ?? 'unknown');
  const archNumber = (key: string): number | undefined => {
    const value = metadataValue(metadata, `${architecture}.${key}`);
    return typeof value === 'number' ? value : undefined;
  };
  const tensorTypes: Record<string, number> = {};
  let parameters = 0;
  for (const tensor of header.tensors) {
    parameters += elementCount(tensor.shape);
    const typeName = ggmlTypeName(tensor.type);
    tensorTypes[typeName] = (tensorTypes[typeName] ?? 0) + 1;
  }
  const tokens = metadataValue(metadata, 'tokenizer.ggml.tokens');
  const merges = metadataValue(metadata, 'tokenizer.ggml.merges');
  const template = metadataValue(metadata, 'tokenizer.chat_template');
  const info: ModelInfo = {
    file: path,
    fileBytes: (await stat(path)).size,
    ggufVersion: header.version,
    architecture,
    parameters,
    tensorCount: header.tensors.length,
    tensorTypes,
    tokenizer: {},
    isLoraAdapter: metadataValue(metadata, 'general.type') === 'adapter',
  };
  const name = metadataValue(metadata, 'general.name');
  if (typeof name === 'string') info.name = name;
  const fields = [
    ['contextLength', 'context_length'],
    ['embeddingLength', 'embedding_length'],
    ['blockCount', 'block_count'],
    ['headCount', 'attention.head_count'],
    ['headCountKv', 'attention.head_count_kv'],
    ['feedForwardLength', 'feed_forward_length'],
  ] as const;
  for (const [field, key] of fields) {
    const value = archNumber(key);
    if (value !== undefined) info[field] = value;
  }
  const tokenizerModel = metadataValue(metadata, 'tokenizer.ggml.model');
  const pre = metadataValue(metadata, 'tokenizer.ggml.pre');
  if (typeof tokenizerModel === 'string') info.tokenizer.model = tokenizerModel;
  if (typeof pre === 'string') info.tokenizer.pre = pre;
  if (Array.isArray(tokens)) info.tokenizer.vocabSize = tokens.length;
  if (Array.isArray(merges)) info.tokenizer.mergeCount = merges.length;
  if (typeof template === 'string') info.chatTemplate = { kind: chatTemplateKind(template), text: template };
  return info;
}
