/**
 * The model seam: teachers, judges and students all sit behind this interface, whether they
 * are an OpenAI-compatible server or the embedded GGUF runtime. Kept types-only so adapters and
 * middleware (cache, rate limit, accounting) compose around it.
 */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface TextPart {
  type: 'text';
  text: string;
}

/** An image, always carried as bytes plus media type; adapters encode it as their server needs. */
export interface ImagePart {
  type: 'image';
  mediaType: string;
  data: Uint8Array;
}

export type ContentPart = TextPart | ImagePart;

export interface ChatMessage {
  role: ChatRole;
  content: string | ContentPart[];
}

export interface GenerateRequest {
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  /** Number of independent samples (self-consistency, k-sample screening). */
  n?: number;
  stop?: string[];
  /** A JSON schema the output must follow; the parsed value is validated by the caller's schema too. */
  jsonSchema?: Record<string, unknown>;
  /** Ask for per-token log-probabilities where the server provides them. */
  logprobs?: boolean;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
}

export interface GenerateChoice {
  text: string;
  finishReason?: 'stop' | 'length' | 'error' | 'other';
  logprobs?: TokenLogprob[];
}

export interface GenerateResponse {
  choices: GenerateChoice[];
  usage: TokenUsage;
  /** The model name the server reports, which can differ from the requested one. */
  modelName?: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface LanguageModel {
  /** Stable identity for cache keys and reports, e.g. `gguf:/abs/student.gguf` or `openai-compatible:URL#name`. */
  readonly id: string;
  generate(request: GenerateRequest, options?: CallOptions): Promise<GenerateResponse>;
  /**
   * Log-likelihood of each continuation after the prompt (sum of token log-probs), the fast way
   * to score multiple choice. Optional: only engines that expose logits implement it.
   */
  scoreContinuations?(
    prompt: ChatMessage[],
    continuations: string[],
    options?: CallOptions,
  ): Promise<ContinuationScore[]>;
  /** Release native resources or connections. */
  close?(): Promise<void>;
}

export interface ContinuationScore {
  /** Sum of log-probabilities of the continuation's tokens. */
  logprob: number;
  /** Number of tokens in the continuation, for length normalisation. */
  tokenCount: number;
  /** Number of bytes (UTF-8) in the continuation: lm-evaluation-harness's acc_norm divides by this. */
  byteCount: number;
}
