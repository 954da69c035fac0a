import type { CallOptions, GenerateRequest, GenerateResponse, LanguageModel } from '../language-model.js';
import { contextOf, withContext } from './call-context.js';
import { parseStoredResponse } from './generate-response-schema.js';
import { layerOver, type ModelMiddleware } from './model-middleware.js';
import { hashRequest } from './request-hash.js';

/** Anything that can find a stored response by request hash; a RunStore's call log is one. */
export interface ResponseSource {
  findResponse(requestHash: string): string | undefined;
}

export interface CacheOptions {
  /**
   * Where to look, in order: usually the run's own call log (`store.calls`), then call logs of
   * earlier runs opened read-only, so a new run reuses answers already paid for.
   */
  sources: readonly ResponseSource[];
  /** Identity used in the key instead of the model's id (e.g. when a local server's port changes). */
  modelIdentity?: string;
}

/**
 * The response cache. It reads what the accounting layer wrote: a successful call in the call log
 * is the cache entry, so there is no second write that a crash could separate from the first.
 * Place it outermost (outside retry and accounting) so a hit costs no rate-limit slot and no budget.
 */
export function withCache(options: CacheOptions): ModelMiddleware {
  return (inner: LanguageModel) =>
    layerOver(
      inner,
      async (request: GenerateRequest, callOptions?: CallOptions): Promise<GenerateResponse> => {
        const { hash, json } = hashRequest(options.modelIdentity ?? inner.id, request);
        const context = contextOf(callOptions);
        for (const source of options.sources) {
          const stored = source.findResponse(hash);
          const response = stored === undefined ? undefined : parseStoredResponse(stored);
          if (response) {
            context.onEvent?.({ type: 'cache-hit', usage: response.usage });
            return response;
          }
        }
        return inner.generate(request, withContext(callOptions, { requestHash: hash, requestJson: json }));
      },
    );
}
