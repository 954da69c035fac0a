import type { CallOptions, GenerateRequest, GenerateResponse, LanguageModel } from '../language-model.js';
import { withContext } from './call-context.js';
import { layerOver, type ModelMiddleware } from './model-middleware.js';
import { type RetryNotice, type RetryOptions, retryWithBackoff } from './retry-with-backoff.js';

export interface RetryLayerOptions extends RetryOptions {
  /** Told about each retry (for progress output). */
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Retries retryable failures (429, 408, 409, 5xx, network errors, timeouts, malformed bodies) with
 * backoff; non-retryable ones (400, 401, 403, 404, budget, abort) pass straight through. Each
 * attempt carries its number in the call context so the call log records it.
 */
export function withRetry(options: RetryLayerOptions = {}): ModelMiddleware {
  return (inner: LanguageModel) =>
    layerOver(
      inner,
      (request: GenerateRequest, callOptions?: CallOptions): Promise<GenerateResponse> =>
        retryWithBackoff(
          (attempt) => inner.generate(request, withContext(callOptions, { attempt })),
          options,
          callOptions?.signal,
          options.onRetry,
        ),
    );
}
