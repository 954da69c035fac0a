import { ModelFormatError } from '../errors.js';

/**
 * llama.cpp names a byte-level BPE pre-tokenizer (`tokenizer.ggml.pre`) by hashing the token ids a
 * Python tokenizer gives for a probe text. Without Python, the converter reads the pre_tokenizer
 * of tokenizer.json instead: each family below is recognised by its split regex, which is what
 * decides the pre-tokenization. The same table writes tokenizer.json back from a GGUF.
 */
const LLAMA3_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const splitThenByteLevel = (pattern: string, trimOffsets: boolean) => ({
  type: 'Sequence',
  pretokenizers: [
    { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false },
    { type: 'ByteLevel', add_prefix_space: false, trim_offsets: trimOffsets, use_regex: false },
  ],
});

const GPT2 = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };

interface PreTokenizerFamily {
  pre: string;
  preTokenizer: unknown;
  normalizer: unknown;
}

/** tokenizer.json parts by llama.cpp pre-tokenizer name (the first of a name is the one written). */
export const PRE_TOKENIZER_FAMILIES: readonly PreTokenizerFamily[] = [
  { pre: 'llama-bpe', preTokenizer: splitThenByteLevel(LLAMA3_PATTERN, true), normalizer: null },
  { pre: 'qwen2', preTokenizer: splitThenByteLevel(QWEN2_PATTERN, false), normalizer: { type: 'NFC' } },
  {
    pre: 'smollm',
    preTokenizer: {
      type: 'Sequence',
      pretokenizers: [{ type: 'Digits', individual_digits: true }, GPT2],
    },
    normalizer: null,
  },
  { pre: 'gpt-2', preTokenizer: GPT2, normalizer: null },
  { pre: 'default', preTokenizer: GPT2, normalizer: null },
];

/** The regexes and steps of a pre_tokenizer, without settings that do not change the split. */
function signature(preTokenizer: unknown): string {
  const steps = (preTokenizer as { pretokenizers?: unknown[] } | null)?.pretokenizers ?? [preTokenizer];
  return JSON.stringify(
    steps.map((step) => {
      const { type, pattern, use_regex, individual_digits } = (step ?? {}) as Record<string, unknown>;
      return { type, pattern, use_regex, individual_digits };
    }),
  );
}

/** The llama.cpp pre-tokenizer name of a tokenizer.json, or an error naming the field. */
export function preTokenizerName(preTokenizer: unknown, file: string): string {
  const wanted = signature(preTokenizer);
  const family = PRE_TOKENIZER_FAMILIES.find((candidate) => signature(candidate.preTokenizer) === wanted);
  if (!family)
    throw new ModelFormatError(
      `this pre-tokenizer is not one the converter recognises (${PRE_TOKENIZER_FAMILIES.map((f) => f.pre).join(', ')}); name llama.cpp's tokenizer.ggml.pre for it with --pre`,
      { file, field: 'pre_tokenizer' },
    );
  return family.pre;
}

/** tokenizer.json's pre_tokenizer and normalizer for a llama.cpp pre-tokenizer name. */
export function preTokenizerFamily(pre: string, file: string): PreTokenizerFamily {
  const family = PRE_TOKENIZER_FAMILIES.find((candidate) => candidate.pre === pre);
  if (!family)
    throw new ModelFormatError(
      `pre-tokenizer "${pre}" cannot be written as tokenizer.json (supported: ${PRE_TOKENIZER_FAMILIES.map((f) => f.pre).join(', ')})`,
      { file, field: 'tokenizer.ggml.pre' },
    );
  return family;
}
