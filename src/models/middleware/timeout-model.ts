import { AbortedError, ApiCallError } from '../../errors.js';
import type { CallOptions, GenerateRequest, GenerateResponse, LanguageModel } from '../language-model.js';
import { layerOver, type ModelMiddleware } from './model-middleware.js';

/**
 * Gives each attempt at most `timeoutMs`. Its own signal is passed down (so fetch is cancelled)
 * and also raced, so even an inner model that ignores signals cannot hang the run. A timeout
 * becomes a retryable ApiCallError; the caller's own abort stays an abort. A plain controller and
 * timer per call, not AbortSignal.any: that one keeps every call's signal alive on a long-lived
 * run signal and costs more per call.
 */
export function withTimeout(timeoutMs: number): ModelMiddleware {
  return (inner: LanguageModel) =>
    layerOver(
      inner,
      async (request: GenerateRequest, callOptions?: CallOptions): Promise<GenerateResponse> => {
        const outer = callOptions?.signal;
        if (outer?.aborted) throw new AbortedError('the model call was aborted', { cause: outer.reason });
        const controller = new AbortController();
        let fail: (error: Error) => void = () => undefined;
        const stopped = new Promise<never>((_, reject) => {
          fail = reject;
        });
        // The race's loser must not surface as an unhandled rejection.
        stopped.catch(() => undefined);
        const timer = setTimeout(() => {
          const error = new ApiCallError(`${inner.id} gave no answer within ${timeoutMs} ms`, {
            url: inner.id,
            isRetryable: true,
          });
          fail(error);
          controller.abort(error);
        }, timeoutMs);
        const onOuterAbort = () => {
          fail(new AbortedError('the model call was aborted', { cause: outer?.reason }));
          controller.abort(outer?.reason);
        };
        outer?.addEventListener('abort', onOuterAbort, { once: true });
        try {
          return await Promise.race([
            inner.generate(request, { ...callOptions, signal: controller.signal }),
            stopped,
          ]);
        } catch (error) {
          // Whatever the inner model threw after our abort, report why we aborted.
          const reason: unknown = controller.signal.reason;
          if (controller.signal.aborted && reason instanceof ApiCallError) throw reason;
          throw error;
        } finally {
          clearTimeout(timer);
          outer?.removeEventListener('abort', onOuterAbort);
        }
      },
    );
}
