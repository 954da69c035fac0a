import { readFile } from 'node:fs/promises';
import { ConfigError, InputError } from '../errors.js';
import { CHATML_TEMPLATE } from '../tokenizer/chat-template.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { trainTokenizer } from '../tokenizer/train-bpe.js';
import { type LlamaConfig, llamaConfigSchema, parameterCount } from './llama-config.js';
import { type LlamaModel, type WeightStorageType, writeLlamaModel } from './llama-model-file.js';
import { randomLlamaWeights } from './random-weights.js';

export interface CreateModelOptions {
  /** Texts the tokenizer is learned from. */
  corpus: string[];
  layers?: number;
  embeddingLength?: number;
  heads?: number;
  /** Key/value heads for grouped-query attention (default: equal to heads). */
  kvHeads?: number;
  feedForwardLength?: number;
  contextLength?: number;
  tokenizer?: 'bpe' | 'word';
  /** Vocabulary bound for BPE (default 2048). */
  vocabSize?: number;
  tiedOutput?: boolean;
  seed?: number;
  name?: string;
}

/** Llama's SwiGLU width (8/3 of the embedding), rounded up to a multiple of 32. */
export const defaultFeedForwardLength = (embeddingLength: number): number =>
  Math.ceil((embeddingLength * 8) / 3 / 32) * 32;

/** The chat roles and line breaks the template adds, so they become single tokens too. */
const TEMPLATE_WORDS = ['system\n', 'user\n', 'assistant\n', '\n'];

/** A random-weight Llama model with a tokenizer learned from the corpus and a ChatML template. */
export function createModel(options: CreateModelOptions): LlamaModel & { tokenizer: Tokenizer } {
  if (options.corpus.length === 0) throw new ConfigError('the tokenizer corpus is empty');
  const embeddingLength = options.embeddingLength ?? 128;
  const heads = options.heads ?? Math.max(1, Math.round(embeddingLength / 32));
  if (embeddingLength % heads !== 0) {
    throw new ConfigError(`embedding length ${embeddingLength} is not divisible by ${heads} heads`);
  }
  const kvHeads = options.kvHeads ?? heads;
  if (heads % kvHeads !== 0)
    throw new ConfigError(`${heads} heads are not divisible by ${kvHeads} key/value heads`);
  const tokenizer = trainTokenizer([...options.corpus, ...TEMPLATE_WORDS], {
    kind: options.tokenizer ?? 'bpe',
    vocabSize: options.vocabSize ?? 2048,
  });
  const config: LlamaConfig = llamaConfigSchema.parse({
    vocabSize: tokenizer.vocabSize,
    contextLength: options.contextLength ?? 256,
    embeddingLength,
    blockCount: options.layers ?? 2,
    headCount: heads,
    headCountKv: kvHeads,
    feedForwardLength: options.feedForwardLength ?? defaultFeedForwardLength(embeddingLength),
    rmsNormEpsilon: 1e-5,
    ropeFreqBase: 10000,
    tiedOutput: options.tiedOutput ?? true,
  });
  return {
    config,
    weights: randomLlamaWeights(config, options.seed ?? 1),
    tokenizer,
    tokenizerMetadata: tokenizer.toGgufMetadata(),
    chatTemplate: CHATML_TEMPLATE,
    general: { name: options.name ?? 'medistill-student' },
  };
}

/** Read a corpus file: one text per non-empty line. */
export async function readCorpusFile(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError('cannot read corpus file', { file: path }, { cause: error });
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.length === 0) throw new InputError('corpus file is empty', { file: path });
  return lines;
}

/** Create a model and write it as GGUF. */
export async function createModelFile(
  options: CreateModelOptions & { out: string; storage?: WeightStorageType },
): Promise<{ path: string; parameters: number; config: LlamaConfig }> {
  const model = createModel(options);
  await writeLlamaModel(options.out, model, options.storage ?? 'f32');
  return { path: options.out, parameters: parameterCount(model.config), config: model.config };
}
