import type {
  CallOptions,
  GenerateRequest,
  GenerateResponse,
  LanguageModel,
  TokenUsage,
} from '../language-model.js';

/** What happened to one logical call, reported to whoever set the context (the stage runner). */
export type CallEvent =
  | { type: 'cache-hit'; usage: TokenUsage }
  | {
      type: 'call';
      usage: TokenUsage;
      /** Undefined when the price table has no entry for the model. */
      cost: number | undefined;
      latencyMs: number;
      attempt: number;
      error: Error | undefined;
    };

/**
 * Facts that travel with a call through the middleware: which stage and item it serves (for the
 * call log), which attempt this is, the request's hash once computed, and a listener for events.
 */
export interface CallContext {
  stage?: string;
  itemId?: string;
  attempt?: number;
  requestHash?: string;
  /** The canonical JSON the hash was taken of (see hashRequest). */
  requestJson?: string;
  onEvent?: (event: CallEvent) => void;
}

/** CallOptions as our middleware passes them down: the interface's options plus the context. */
export interface ContextualCallOptions extends CallOptions {
  context?: CallContext;
}

/** The context carried by these options, if any. */
export function contextOf(options: CallOptions | undefined): CallContext {
  if (options === undefined || !('context' in options)) return {};
  const { context } = options as ContextualCallOptions;
  return context ?? {};
}

/** Options with extra context facts merged over what the caller sent. */
export function withContext(options: CallOptions | undefined, extra: CallContext): ContextualCallOptions {
  return { ...options, context: { ...contextOf(options), ...extra } };
}

/**
 * A view of a model whose every call carries this context (the stage runner hands one to each
 * item, so the call log knows the stage and item without the item's code passing them).
 */
export function withCallContext(model: LanguageModel, context: CallContext): LanguageModel {
  const view: LanguageModel = {
    id: model.id,
    generate: (request: GenerateRequest, options?: CallOptions): Promise<GenerateResponse> =>
      model.generate(request, withContext(options, context)),
  };
  if (model.scoreContinuations) {
    const score = model.scoreContinuations.bind(model);
    view.scoreContinuations = (prompt, continuations, options) =>
      score(prompt, continuations, withContext(options, context));
  }
  return view;
}
