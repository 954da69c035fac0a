/**
 * The GPT-2 pre-tokenizer, which llama.cpp applies for `tokenizer.ggml.pre = "gpt-2"`: text is
 * split into words (with their leading space), digit runs, punctuation runs and whitespace before
 * BPE merges apply within each piece. Matching it exactly is what keeps our training tokens equal
 * to the tokens llama.cpp sees at inference.
 */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export const PRE_TOKENIZER_NAME = 'gpt-2';

export function preTokenize(text: string): string[] {
  return text.match(GPT2_PATTERN) ?? [];
}
