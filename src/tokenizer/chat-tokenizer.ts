import type { Tokenizer } from './tokenizer.js';

/**
 * What rendering and tokenizing a chat for training needs from a tokenizer. medistill's own BPE
 * provides it in-process; real model families (Llama 3, Qwen, SentencePiece vocabularies) get it
 * from llama.cpp's own tokenizer, so training tokens are the tokens inference sees.
 */
export interface ChatTokenizer {
  /**
   * Tokens of `text`, special-token text (e.g. `<|im_end|>`) parsed as its control token, no BOS
   * added. `continuation` marks text that continues a conversation rather than starting one, so a
   * SentencePiece vocabulary adds no leading ▁ that whole-text tokenization would not have.
   */
  encode(text: string, continuation?: boolean): number[];
  /** The text of a token as a template writes it (`bos_token`, `eos_token`). */
  tokenText(id: number): string;
  bosTokenId?: number;
  eosTokenId?: number;
  /** End of a chat turn; generation stops here (falls back to EOS). */
  eotTokenId?: number;
  /** Whether llama.cpp prepends BOS to a prompt (`tokenizer.ggml.add_bos_token`). */
  addBosToken: boolean;
}

/** medistill's own byte-level BPE as a ChatTokenizer. */
export function ownChatTokenizer(tokenizer: Tokenizer): ChatTokenizer {
  const { data } = tokenizer;
  const chat: ChatTokenizer = {
    encode: (text) => tokenizer.encode(text, { parseSpecial: true, addBos: false }),
    tokenText: (id) => data.tokens[id] ?? '',
    addBosToken: data.addBosToken,
  };
  if (data.bosTokenId !== undefined) chat.bosTokenId = data.bosTokenId;
  if (data.eosTokenId !== undefined) chat.eosTokenId = data.eosTokenId;
  if (data.eotTokenId !== undefined) chat.eotTokenId = data.eotTokenId;
  return chat;
}
