import { ApiCallError } from '../../errors.js';
import type { CallOptions, GenerateRequest, GenerateResponse, LanguageModel } from '../language-model.js';
import { layerOver, type ModelMiddleware } from './model-middleware.js';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.js';

/**
 * Admits calls through a RateLimiter (pass one to share it between models on the same server,
 * or options to make a new one). Reports 429s to it so every caller backs off, and corrects the
 * token bucket with the usage the server reports.
 */
export function withRateLimit(limiter: RateLimiter | RateLimitOptions = {}): ModelMiddleware {
  const shared = limiter instanceof RateLimiter ? limiter : new RateLimiter(limiter);
  return (inner: LanguageModel) =>
    layerOver(
      inner,
      async (request: GenerateRequest, callOptions?: CallOptions): Promise<GenerateResponse> => {
        const permit = await shared.acquire(estimateTokens(request), callOptions?.signal);
        try {
          const response = await inner.generate(request, callOptions);
          permit.release({ usedTokens: response.usage.promptTokens + response.usage.completionTokens });
          return response;
        } catch (error) {
          const rateLimited = error instanceof ApiCallError && error.status === 429;
          permit.release(rateLimited ? { rateLimitedForMs: error.retryAfterMs ?? null } : { failed: true });
          throw error;
        }
      },
    );
}

/** A rough token count before the call: four characters a token, plus the completion budget. */
export function estimateTokens(request: GenerateRequest): number {
  let characters = 0;
  for (const message of request.messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else for (const part of message.content) characters += part.type === 'text' ? part.text.length : 1000;
  }
  return Math.ceil(characters / 4) + (request.maxTokens ?? 256) * Math.max(1, request.n ?? 1);
}
