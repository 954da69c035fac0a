import { ModelFormatError } from '../errors.js';
import { type GgufMetadata, gguf, metadataValue } from '../gguf/gguf-types.js';
import { fromByteLevel, toByteLevel } from './byte-level.js';
import { PRE_TOKENIZER_NAME, preTokenize } from './pre-tokenize.js';

/** llama.cpp's token types (include/llama.h). */
export const TokenType = { Normal: 1, Unknown: 2, Control: 3, UserDefined: 4, Unused: 5, Byte: 6 } as const;

export interface TokenizerData {
  /** Vocabulary in byte-level form (control tokens as their literal text). */
  tokens: string[];
  tokenTypes: number[];
  /** BPE merges as "left right", highest priority first. */
  merges: string[];
  bosTokenId?: number;
  eosTokenId?: number;
  /** End of a chat turn; generation stops here. */
  eotTokenId?: number;
  paddingTokenId?: number;
  addBosToken: boolean;
}

const MAX_CACHED_PIECES = 200_000;

/**
 * A byte-level BPE tokenizer that tokenizes exactly as llama.cpp does for
 * `tokenizer.ggml.model = "gpt2"` with the GPT-2 pre-tokenizer, so training data encoded here
 * matches what the runtime sees. Any text encodes (every byte is a token).
 */
export class Tokenizer {
  readonly data: TokenizerData;
  private readonly idByToken = new Map<string, number>();
  private readonly rankByPair = new Map<string, number>();
  private readonly specialTokens: { text: string; id: number }[];
  private readonly pieceCache = new Map<string, number[]>();

  constructor(data: TokenizerData) {
    this.data = data;
    for (const [id, token] of data.tokens.entries()) {
      if (!this.idByToken.has(token)) this.idByToken.set(token, id);
    }
    for (const [rank, merge] of data.merges.entries()) this.rankByPair.set(merge, rank);
    // Longest first so "<|im_start|>" wins over any shorter special that prefixes it.
    this.specialTokens = data.tokens
      .map((text, id) => ({ text, id }))
      .filter(
        ({ id }) =>
          data.tokenTypes[id] === TokenType.Control || data.tokenTypes[id] === TokenType.UserDefined,
      )
      .sort((a, b) => b.text.length - a.text.length);
  }

  get vocabSize(): number {
    return this.data.tokens.length;
  }

  tokenId(text: string): number | undefined {
    return this.idByToken.get(text);
  }

  /** Encode text; special-token text (e.g. `<|im_end|>`) becomes its control token when `parseSpecial`. */
  encode(text: string, options: { parseSpecial?: boolean; addBos?: boolean } = {}): number[] {
    const ids: number[] = [];
    if ((options.addBos ?? this.data.addBosToken) && this.data.bosTokenId !== undefined)
      ids.push(this.data.bosTokenId);
    const fragments = options.parseSpecial === false ? [text] : this.splitOnSpecials(text);
    for (const fragment of fragments) {
      if (typeof fragment === 'number') ids.push(fragment);
      else for (const piece of preTokenize(fragment)) ids.push(...this.encodePiece(piece));
    }
    return ids;
  }

  /** Decode ids to text; control tokens are rendered only when `special` is set. */
  decode(ids: readonly number[], options: { special?: boolean } = {}): string {
    const parts: Uint8Array[] = [];
    for (const id of ids) {
      const token = this.data.tokens[id];
      if (token === undefined) continue;
      const type = this.data.tokenTypes[id];
      if (type === TokenType.Control || type === TokenType.UserDefined) {
        if (options.special) parts.push(new TextEncoder().encode(token));
      } else {
        parts.push(fromByteLevel(token));
      }
    }
    return Buffer.concat(parts).toString('utf8');
  }

  private splitOnSpecials(text: string): (string | number)[] {
    if (this.specialTokens.length === 0) return [text];
    const out: (string | number)[] = [];
    let start = 0;
    let i = 0;
    while (i < text.length) {
      const match =
        text.charCodeAt(i) === 0x3c /* '<' */
          ? this.specialTokens.find((s) => text.startsWith(s.text, i))
          : undefined;
      if (match) {
        if (i > start) out.push(text.slice(start, i));
        out.push(match.id);
        i += match.text.length;
        start = i;
      } else {
        i++;
      }
    }
    if (start < text.length) out.push(text.slice(start));
    return out;
  }

  private encodePiece(piece: string): number[] {
    const cached = this.pieceCache.get(piece);
    if (cached) return cached;
    const symbols = Array.from(toByteLevel(piece));
    // Merge the lowest-rank adjacent pair, leftmost first: llama.cpp's order, hence its result.
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      let bestIndex = -1;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.rankByPair.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestIndex = i;
        }
      }
      if (bestIndex < 0) break;
      symbols.splice(bestIndex, 2, symbols[bestIndex]! + symbols[bestIndex + 1]!);
    }
    const ids: number[] = [];
    for (const symbol of symbols) {
      const id = this.idByToken.get(symbol);
      if (id !== undefined) {
        ids.push(id);
        continue;
      }
      for (const char of symbol) {
        const byteId = this.idByToken.get(char);
        if (byteId !== undefined) ids.push(byteId);
      }
    }
    if (this.pieceCache.size >= MAX_CACHED_PIECES) this.pieceCache.clear();
    this.pieceCache.set(piece, ids);
    return ids;
  }

  /** GGUF keys llama.cpp reads to rebuild this tokenizer. */
  toGgufMetadata(): GgufMetadata {
    const metadata: GgufMetadata = new Map();
    metadata.set('tokenizer.ggml.model', gguf.string('gpt2'));
    metadata.set('tokenizer.ggml.pre', gguf.string(PRE_TOKENIZER_NAME));
    metadata.set('tokenizer.ggml.tokens', gguf.stringArray(this.data.tokens));
    metadata.set('tokenizer.ggml.token_type', gguf.int32Array(this.data.tokenTypes));
    metadata.set('tokenizer.ggml.merges', gguf.stringArray(this.data.merges));
    const ids: [string, number | undefined][] = [
      ['tokenizer.ggml.bos_token_id', this.data.bosTokenId],
      ['tokenizer.ggml.eos_token_id', this.data.eosTokenId],
      ['tokenizer.ggml.eot_token_id', this.data.eotTokenId],
      ['tokenizer.ggml.padding_token_id', this.data.paddingTokenId],
    ];
    for (const [key, id] of ids) if (id !== undefined) metadata.set(key, gguf.uint32(id));
    metadata.set('tokenizer.ggml.add_bos_token', gguf.bool(this.data.addBosToken));
    metadata.set('tokenizer.ggml.add_eos_token', gguf.bool(false));
    return metadata;
  }

  static fromGgufMetadata(metadata: GgufMetadata, file: string): Tokenizer {
    const model = metadataValue(metadata, 'tokenizer.ggml.model');
    if (model !== 'gpt2') {
      throw new ModelFormatError(
        `tokenizer "${String(model)}" is not supported for training (medistill trains gpt2-style byte-level BPE models)`,
        { file, field: 'tokenizer.ggml.model' },
      );
    }
    const tokens = metadataValue(metadata, 'tokenizer.ggml.tokens');
    const merges = metadataValue(metadata, 'tokenizer.ggml.merges');
    if (!Array.isArray(tokens) || !Array.isArray(merges)) {
      throw new ModelFormatError('tokenizer tokens or merges missing', {
        file,
        field: 'tokenizer.ggml.tokens',
      });
    }
    const types = metadataValue(metadata, 'tokenizer.ggml.token_type');
    const optionalId = (key: string): number | undefined => {
      const value = metadataValue(metadata, key);
      return typeof value === 'number' ? value : undefined;
    };
    const data: TokenizerData = {
      tokens: tokens.map(String),
      tokenTypes: Array.isArray(types) ? types.map(Number) : tokens.map(() => TokenType.Normal),
      merges: merges.map(String),
      addBosToken: metadataValue(metadata, 'tokenizer.ggml.add_bos_token') === true,
    };
    const bos = optionalId('tokenizer.ggml.bos_token_id');
    const eos = optionalId('tokenizer.ggml.eos_token_id');
    const eot = optionalId('tokenizer.ggml.eot_token_id');
    const pad = optionalId('tokenizer.ggml.padding_token_id');
    if (bos !== undefined) data.bosTokenId = bos;
    if (eos !== undefined) data.eosTokenId = eos;
    if (eot !== undefined) data.eotTokenId = eot;
    if (pad !== undefined) data.paddingTokenId = pad;
    return new Tokenizer(data);
  }
}
