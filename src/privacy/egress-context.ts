import { AsyncLocalStorage } from 'node:async_hooks';
import type { CallOptions, GenerateRequest } from '../models/language-model.js';
import { type CallContext, contextOf } from '../models/middleware/call-context.js';
import { layerOver, type ModelMiddleware } from '../models/middleware/model-middleware.js';

const storage = new AsyncLocalStorage<CallContext>();

/**
 * Makes the call's stage and item visible to the HTTP layer below the model (pinnedFetch), which
 * the `openai` client calls without our call options. Place it innermost, next to the model.
 */
export function withEgressContext(): ModelMiddleware {
  return (inner) =>
    layerOver(inner, (request: GenerateRequest, options?: CallOptions) =>
      storage.run(contextOf(options), () => inner.generate(request, options)),
    );
}

/** The context of the model call this code runs under, if any. */
export function currentEgressContext(): CallContext | undefined {
  return storage.getStore();
}
