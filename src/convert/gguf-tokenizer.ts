import { ModelFormatError } from '../errors.js';
import { type GgufMetadata, metadataValue } from '../gguf/gguf-types.js';
import { TokenType } from '../tokenizer/tokenizer.js';
import { preTokenizerFamily } from './pre-tokenizers.js';

export interface HfTokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** Special token ids for config.json. */
  bosTokenId?: number;
  eosTokenId?: number;
  padTokenId?: number;
}

/**
 * tokenizer.json and tokenizer_config.json from a GGUF's byte-level BPE vocabulary (`gpt2`):
 * normal tokens and merges become the BPE model, control tokens special added tokens, user-defined
 * tokens plain added tokens; the `[PADn]` rows llama.cpp's converter pads the vocabulary with are
 * left out (config.json's vocab_size keeps the rows). SentencePiece vocabularies (`llama`) hold
 * scores, not merges, so they are refused.
 */
export function hfTokenizerFiles(
  metadata: GgufMetadata,
  file: string,
  contextLength: number,
): HfTokenizerFiles {
  const model = metadataValue(metadata, 'tokenizer.ggml.model');
  if (model !== 'gpt2')
    throw new ModelFormatError(
      `tokenizer "${String(model)}" cannot be written as tokenizer.json (byte-level BPE, "gpt2", only)`,
      { file, field: 'tokenizer.ggml.model' },
    );
  const tokens = metadataValue(metadata, 'tokenizer.ggml.tokens');
  const types = metadataValue(metadata, 'tokenizer.ggml.token_type');
  const merges = metadataValue(metadata, 'tokenizer.ggml.merges');
  if (!Array.isArray(tokens) || !Array.isArray(types) || types.length !== tokens.length)
    throw new ModelFormatError('the vocabulary or its token types are missing', {
      file,
      field: 'tokenizer.ggml.tokens',
    });
  const family = preTokenizerFamily(String(metadataValue(metadata, 'tokenizer.ggml.pre') ?? 'default'), file);
  const vocab: Record<string, number> = {};
  const added: Record<string, unknown>[] = [];
  const addedDecoder: Record<string, unknown> = {};
  tokens.forEach((token, id) => {
    const text = String(token);
    const type = Number(types[id]);
    if (type === TokenType.Control || type === TokenType.UserDefined) {
      const special = type === TokenType.Control;
      const entry = {
        content: text,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: !special,
        special,
      };
      added.push({ id, ...entry });
      addedDecoder[String(id)] = entry;
    } else if (type !== TokenType.Unused) {
      vocab[text] = id;
    }
  });
  const id = (key: string): number | undefined => {
    const value = metadataValue(metadata, `tokenizer.ggml.${key}`);
    return typeof value === 'number' ? value : undefined;
  };
  const bosTokenId = id('bos_token_id');
  const eosTokenId = id('eos_token_id');
  const padTokenId = id('padding_token_id');
  const addBos = metadataValue(metadata, 'tokenizer.ggml.add_bos_token');
  const textOf = (tokenId: number | undefined) => (tokenId === undefined ? null : String(tokens[tokenId]));
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: family.normalizer,
    pre_tokenizer: family.preTokenizer,
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: Array.isArray(merges) ? merges.map(String) : [],
    },
  };
  const template = metadataValue(metadata, 'tokenizer.chat_template');
  const tokenizerConfig: Record<string, unknown> = {
    ...(typeof addBos === 'boolean' ? { add_bos_token: addBos } : {}),
    add_prefix_space: false,
    added_tokens_decoder: addedDecoder,
    bos_token: textOf(bosTokenId),
    clean_up_tokenization_spaces: false,
    eos_token: textOf(eosTokenId),
    model_max_length: contextLength,
    pad_token: textOf(padTokenId),
    tokenizer_class: 'PreTrainedTokenizerFast',
    ...(typeof template === 'string' ? { chat_template: template } : {}),
  };
  return {
    tokenizerJson,
    tokenizerConfig,
    ...(bosTokenId !== undefined ? { bosTokenId } : {}),
    ...(eosTokenId !== undefined ? { eosTokenId } : {}),
    ...(padTokenId !== undefined ? { padTokenId } : {}),
  };
}
