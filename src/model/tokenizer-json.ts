import { ModelFormatError } from '../errors.js';
import { type GgufMetadata, gguf } from '../gguf/gguf-types.js';
import { TokenType } from '../tokenizer/tokenizer.js';

/** The parts of a Hugging Face tokenizer.json this reads. */
export interface HfTokenizerJson {
  model: { type: string; vocab: Record<string, number>; merges?: (string | [string, string])[] };
  added_tokens: { id: number; content: string; special: boolean }[];
  pre_tokenizer?: unknown;
  normalizer?: unknown;
  decoder?: unknown;
}

/** The parts of a tokenizer_config.json this reads. */
export interface HfTokenizerConfig {
  bos_token?: string | { content: string } | null;
  eos_token?: string | { content: string } | null;
  pad_token?: string | { content: string } | null;
  add_bos_token?: boolean;
  chat_template?: string;
}

export interface GgufTokenizerOptions {
  /** llama.cpp pre-tokenizer name for byte-level BPE: `llama-bpe`, `qwen2`, `smollm`, ... */
  pre?: string;
  /** Pad the vocabulary with unused `[PADn]` tokens up to this size (as llama.cpp's converter does). */
  vocabSize?: number;
  /** Drop tokens with this id or above (Qwen2.5 is the Qwen3 vocabulary without its last added tokens). */
  maxTokenId?: number;
  /** Override the tokenizer_config's special tokens (e.g. Qwen's BOS, which the config leaves null). */
  bosToken?: string;
  eosToken?: string;
  addBosToken?: boolean;
}

const tokenContent = (token: HfTokenizerConfig['bos_token']): string | undefined =>
  token === null || token === undefined ? undefined : typeof token === 'string' ? token : token.content;

/**
 * Turn a Hugging Face tokenizer.json into the `tokenizer.ggml.*` keys llama.cpp reads, the way
 * convert_hf_to_gguf.py does: byte-level BPE (a ByteLevel pre-tokenizer) becomes `gpt2` with its
 * merges, SentencePiece-style BPE (▁ and byte fallback) becomes `llama` with scores. SentencePiece
 * scores are not in tokenizer.json, so each piece is scored by the rank of the merge that makes it.
 */
export function ggufTokenizerMetadata(
  json: HfTokenizerJson,
  config: HfTokenizerConfig,
  options: GgufTokenizerOptions = {},
  file = 'tokenizer.json',
): GgufMetadata {
  if (json.model.type !== 'BPE') {
    throw new ModelFormatError(`tokenizer model "${json.model.type}" cannot be converted (BPE only)`, {
      file,
      field: 'model.type',
    });
  }
  const byteLevel = JSON.stringify(json.pre_tokenizer ?? null).includes('"ByteLevel"');
  const limit = options.maxTokenId ?? Number.POSITIVE_INFINITY;
  const tokens: string[] = [];
  const types: number[] = [];
  for (const [text, id] of Object.entries(json.model.vocab)) {
    if (id >= limit) continue;
    tokens[id] = text;
    types[id] = !byteLevel && /^<0x[0-9A-F]{2}>$/.test(text) ? TokenType.Byte : TokenType.Normal;
  }
  for (const added of json.added_tokens) {
    if (added.id >= limit) continue;
    tokens[added.id] = added.content;
    types[added.id] = added.special ? TokenType.Control : TokenType.UserDefined;
  }
  for (let id = tokens.length; id < (options.vocabSize ?? 0); id++) {
    tokens[id] = `[PAD${id}]`;
    types[id] = TokenType.Unused;
  }
  for (let id = 0; id < tokens.length; id++) {
    if (tokens[id] === undefined) {
      tokens[id] = `[PAD${id}]`;
      types[id] = TokenType.Unused;
    }
  }
  const idOf = new Map(tokens.map((text, id) => [text, id]));
  const metadata: GgufMetadata = new Map();
  metadata.set('tokenizer.ggml.model', gguf.string(byteLevel ? 'gpt2' : 'llama'));
  if (byteLevel) metadata.set('tokenizer.ggml.pre', gguf.string(options.pre ?? 'default'));
  metadata.set('tokenizer.ggml.tokens', gguf.stringArray(tokens));
  const mergeList = (json.model.merges ?? []).map((merge) =>
    Array.isArray(merge) ? merge.join(' ') : merge,
  );
  if (byteLevel) {
    metadata.set('tokenizer.ggml.merges', gguf.stringArray(mergeList));
  } else {
    const unknown = idOf.get('<unk>');
    if (unknown !== undefined) {
      types[unknown] = TokenType.Unknown;
      metadata.set('tokenizer.ggml.unknown_token_id', gguf.uint32(unknown));
    }
    // Llama 2 / Mistral prepend ▁ to the text (a Prepend normalizer); Gemma does not.
    const prepends = JSON.stringify(json.normalizer ?? null).includes('"Prepend"');
    metadata.set('tokenizer.ggml.add_space_prefix', gguf.bool(prepends));
    // llama.cpp's SentencePiece tokenizer merges the best-scoring bigram first; scoring each piece
    // by the rank of the merge that makes it reproduces the BPE merge order of tokenizer.json.
    const scores = tokens.map((_, id) => (types[id] === TokenType.Normal ? -(mergeList.length + id) : 0));
    mergeList.forEach((merge, rank) => {
      const id = idOf.get(merge.replace(' ', ''));
      if (id !== undefined && types[id] === TokenType.Normal && scores[id]! < -rank) scores[id] = -rank;
    });
    metadata.set('tokenizer.ggml.scores', gguf.float32Array(scores));
  }
  metadata.set('tokenizer.ggml.token_type', gguf.int32Array(types));
  const special = (key: string, text: string | undefined): void => {
    const id = text === undefined ? undefined : idOf.get(text);
    if (id !== undefined) metadata.set(key, gguf.uint32(id));
  };
  special('tokenizer.ggml.bos_token_id', options.bosToken ?? tokenContent(config.bos_token));
  special('tokenizer.ggml.eos_token_id', options.eosToken ?? tokenContent(config.eos_token));
  special('tokenizer.ggml.padding_token_id', tokenContent(config.pad_token));
  const addBos = options.addBosToken ?? config.add_bos_token;
  if (addBos !== undefined) metadata.set('tokenizer.ggml.add_bos_token', gguf.bool(addBos));
  metadata.set('tokenizer.ggml.add_eos_token', gguf.bool(false));
  return metadata;
}
