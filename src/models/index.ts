/** Models: the spec parser, the OpenAI-compatible adapter and the middleware that wraps any model. */
export type * from './language-model.js';
export { type AccountingOptions, type CallRecorder, withAccounting } from './middleware/accounting-model.js';
export { Budget, type BudgetLimits, type BudgetSpent } from './middleware/budget.js';
export { type CacheOptions, type ResponseSource, withCache } from './middleware/cached-model.js';
export {
  type CallContext,
  type CallEvent,
  type ContextualCallOptions,
  withCallContext,
} from './middleware/call-context.js';
export { layerOver, type ModelMiddleware, wrapModel } from './middleware/model-middleware.js';
export {
  costOf,
  type ModelPrice,
  modelPriceSchema,
  type PriceTable,
  parsePriceTable,
  priceFor,
  priceTableSchema,
} from './middleware/price-table.js';
export { estimateTokens, withRateLimit } from './middleware/rate-limited-model.js';
export {
  RateLimiter,
  type RateLimiterState,
  type RateLimitOptions,
  type RateLimitPermit,
} from './middleware/rate-limiter.js';
export { type HashedRequest, hashRequest } from './middleware/request-hash.js';
export {
  type RetryNotice,
  type RetryOptions,
  retryDelay,
  retryWithBackoff,
} from './middleware/retry-with-backoff.js';
export { type RetryLayerOptions, withRetry } from './middleware/retrying-model.js';
export { withTimeout } from './middleware/timeout-model.js';
export {
  apiKeyFor,
  type GgufModelSpec,
  type ModelSpec,
  modelIdOf,
  modelSpecSchema,
  parseModelSpec,
  type ServerModelSpec,
  type StructuredOutputMode,
  structuredOutputModes,
} from './model-spec.js';
export { isRetryableStatus, parseRetryAfter, redactSecrets } from './openai-compatible-errors.js';
export { parseFiniteJson, parseJsonOutput } from './openai-compatible-json-output.js';
export {
  createOpenAICompatibleModel,
  createServerModelFromSpec,
  OpenAICompatibleModel,
  type OpenAICompatibleModelOptions,
  type ServerModelFromSpecOptions,
} from './openai-compatible-model.js';
