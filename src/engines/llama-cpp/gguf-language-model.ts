import { resolve } from 'node:path';
import type { Llama, LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import { LlamaCompletion } from 'node-llama-cpp';
import { AbortedError, InputError } from '../../errors.js';
import type {
  CallOptions,
  ChatMessage,
  ContinuationScore,
  GenerateChoice,
  GenerateRequest,
  GenerateResponse,
  LanguageModel,
} from '../../models/language-model.js';
import { CHATML_TEMPLATE, renderChat } from '../../tokenizer/chat-template.js';
import { validateJsonOutput } from './json-output.js';
import { continuationLogprobs, nextTokenLogprobs } from './log-likelihood.js';
import { SequencePool } from './sequence-pool.js';

interface GgufLanguageModelParts {
  path: string;
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  chatTemplate: string | undefined;
  adapters: string[];
}

/** Flatten messages to template input; the embedded runtime is text-only (vision goes through llama-server). */
function templateMessages(messages: ChatMessage[]): { role: string; content: string }[] {
  return messages.map((message) => {
    if (typeof message.content === 'string') return { role: message.role, content: message.content };
    if (message.content.some((part) => part.type === 'image')) {
      throw new InputError(
        'the embedded GGUF runtime is text-only; serve a vision model with llama-server --mmproj instead',
      );
    }
    return {
      role: message.role,
      content: message.content.map((part) => (part.type === 'text' ? part.text : '')).join(''),
    };
  });
}

/**
 * A GGUF model run in-process by llama.cpp through node-llama-cpp. Prompts are rendered with the
 * model's own chat template (the one training used), so train and inference formatting match.
 */
export class GgufLanguageModel implements LanguageModel {
  readonly id: string;
  private readonly pool: SequencePool;

  constructor(private readonly parts: GgufLanguageModelParts) {
    const adapters = parts.adapters.map((adapter) => `+lora:${resolve(adapter)}`).join('');
    this.id = `gguf:${resolve(parts.path)}${adapters}`;
    this.pool = new SequencePool(parts.context);
  }

  get contextSize(): number {
    return this.parts.context.contextSize;
  }

  /** Render chat messages as the prompt text the model sees, ending with the assistant turn's opening. */
  renderPrompt(messages: ChatMessage[]): string {
    const { tokens } = this.parts.model;
    return renderChat(this.parts.chatTemplate || CHATML_TEMPLATE, templateMessages(messages), {
      addGenerationPrompt: true,
      bosToken: tokens.bosString ?? '',
      eosToken: tokens.eosString ?? '',
      file: this.parts.path,
    });
  }

  /**
   * The prompt's tokens with BOS in front when the vocabulary asks for it and the template did not
   * write it, exactly as the trainer builds its examples (chat-tokenization.ts).
   */
  private promptTokens(messages: ChatMessage[]): Token[] {
    const tokens = this.tokenize(this.renderPrompt(messages));
    const { bos, shouldPrependBosToken } = this.parts.model.tokens;
    return shouldPrependBosToken && bos !== null && tokens[0] !== bos ? [bos, ...tokens] : tokens;
  }

  tokenize(text: string): Token[] {
    return this.parts.model.tokenize(text, true);
  }

  async generate(request: GenerateRequest, options: CallOptions = {}): Promise<GenerateResponse> {
    const promptTokens = this.promptTokens(request.messages);
    this.assertFits(promptTokens.length);
    const grammar = request.jsonSchema
      ? await this.parts.llama.createGrammarForJsonSchema(request.jsonSchema as never)
      : undefined;
    const samples = request.n ?? 1;
    let completionTokens = 0;
    const choices = await Promise.all(
      Array.from({ length: samples }, (_, index) =>
        this.pool.use(async (sequence): Promise<GenerateChoice> => {
          const completion = new LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
          try {
            const maxTokens = Math.max(
              1,
              Math.min(request.maxTokens ?? 256, this.contextSize - promptTokens.length),
            );
            const result = await completion.generateCompletionWithMeta(promptTokens, {
              maxTokens,
              temperature: request.temperature ?? 0,
              ...(request.topP !== undefined ? { topP: request.topP } : {}),
              // Distinct samples need distinct seeds even when the caller fixes one.
              ...(request.seed !== undefined ? { seed: request.seed + index } : {}),
              ...(grammar ? { grammar } : {}),
              ...(request.stop ? { customStopTriggers: request.stop } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            });
            completionTokens += this.tokenize(result.response).length;
            const reason = result.metadata.stopReason;
            if (reason === 'abort') throw new AbortedError('generation aborted');
            const text = grammar ? validateJsonOutput(result.response) : result.response;
            return { text, finishReason: reason === 'maxTokens' ? 'length' : 'stop' };
          } finally {
            completion.dispose();
          }
        }),
      ),
    );
    return { choices, usage: { promptTokens: promptTokens.length * samples, completionTokens } };
  }

  async scoreContinuations(prompt: ChatMessage[], continuations: string[]): Promise<ContinuationScore[]> {
    const promptTokens = this.promptTokens(prompt);
    const tokenized = continuations.map((continuation) => this.parts.model.tokenize(continuation, false));
    this.assertFits(promptTokens.length + Math.max(0, ...tokenized.map((tokens) => tokens.length)));
    const logprobs = await this.pool.use((sequence) =>
      continuationLogprobs(sequence, promptTokens, tokenized),
    );
    return continuations.map((continuation, index) => ({
      logprob: logprobs[index]!,
      tokenCount: tokenized[index]!.length,
      byteCount: Buffer.byteLength(continuation, 'utf8'),
    }));
  }

  /** Log-probabilities of every vocabulary token after each position of `tokens` (parity checks, calibration). */
  async tokenLogprobs(tokens: number[]): Promise<Float64Array[]> {
    this.assertFits(tokens.length);
    return this.pool.use((sequence) => nextTokenLogprobs(sequence, tokens as Token[]));
  }

  private assertFits(tokens: number): void {
    if (tokens >= this.contextSize) {
      throw new InputError(
        `prompt of ${tokens} tokens does not fit the model's context of ${this.contextSize} tokens`,
        {
          file: this.parts.path,
        },
      );
    }
  }

  async close(): Promise<void> {
    await this.parts.context.dispose();
    await this.parts.model.dispose();
  }
}
