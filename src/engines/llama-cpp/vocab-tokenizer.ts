import type { Llama, Token } from 'node-llama-cpp';
import { ModelFormatError } from '../../errors.js';
import type { ChatTokenizer } from '../../tokenizer/chat-tokenizer.js';

/** A ChatTokenizer backed by llama.cpp; dispose it to unload the vocabulary. */
export interface VocabTokenizer extends ChatTokenizer {
  dispose(): Promise<void>;
}

/**
 * Load only the vocabulary of a GGUF (`vocabOnly`) and tokenize with llama.cpp itself: every
 * pre-tokenizer (llama-bpe, qwen2, smollm, gpt-2) and SentencePiece model it implements, token
 * for token as inference will. Runs on the calling thread; the trainer worker gets the ids.
 */
export async function loadVocabTokenizer(llama: Llama, path: string): Promise<VocabTokenizer> {
  let model: Awaited<ReturnType<Llama['loadModel']>>;
  try {
    model = await llama.loadModel({ modelPath: path, vocabOnly: true });
  } catch (error) {
    throw new ModelFormatError(
      `llama.cpp could not load the tokenizer: ${(error as Error).message}`,
      { file: path, field: 'tokenizer.ggml.model' },
      { cause: error },
    );
  }
  const { tokens } = model;
  const tokenizer: VocabTokenizer = {
    encode: (text, continuation) =>
      (continuation ? model.tokenize(text, true, 'trimLeadingSpace') : model.tokenize(text, true)).map(
        Number,
      ),
    tokenText: (id) => model.detokenize([id as Token], true),
    addBosToken: tokens.shouldPrependBosToken,
    dispose: () => model.dispose(),
  };
  if (tokens.bos !== null) tokenizer.bosTokenId = Number(tokens.bos);
  if (tokens.eos !== null) tokenizer.eosTokenId = Number(tokens.eos);
  if (tokens.eot !== null) tokenizer.eotTokenId = Number(tokens.eot);
  return tokenizer;
}
