import { performance } from 'node:perf_hooks';
import { ApiCallError, ConfigError } from '../../errors.js';
import type { CallRecord } from '../call-record.js';
import type { CallOptions, GenerateRequest, GenerateResponse, LanguageModel } from '../language-model.js';
import type { Budget } from './budget.js';
import { contextOf } from './call-context.js';
import { layerOver, type ModelMiddleware } from './model-middleware.js';
import { costOf, type PriceTable, priceFor } from './price-table.js';
import { hashRequest } from './request-hash.js';

/** Where attempts are written; a RunStore's `calls` is one. Resolves once the call is durable. */
export interface CallRecorder {
  record(call: CallRecord): Promise<void> | void;
}

export interface AccountingOptions {
  log: CallRecorder;
  prices?: PriceTable;
  budget?: Budget;
}

/**
 * Records every attempt (success or failure) in the call log with tokens, latency and cost, and
 * enforces the budget before each attempt. A successful row is committed before the response is
 * returned, which is what makes it safe to kill the process at any moment: what the caller has
 * seen is on disk. Place it inside retry and rate limiting so each attempt is its own row and
 * latency excludes queueing.
 */
export function withAccounting(options: AccountingOptions): ModelMiddleware {
  return (inner: LanguageModel) => {
    const prices = options.prices ?? {};
    if (options.budget?.limits.maxCost !== undefined && !priceFor(prices, inner.id)) {
      throw new ConfigError(`a cost budget is set but the price table has no entry matching "${inner.id}"`);
    }
    return layerOver(
      inner,
      async (request: GenerateRequest, callOptions?: CallOptions): Promise<GenerateResponse> => {
        options.budget?.assertAvailable();
        const context = contextOf(callOptions);
        const hashed =
          context.requestHash !== undefined && context.requestJson !== undefined
            ? { hash: context.requestHash, json: context.requestJson }
            : hashRequest(inner.id, request);
        const startedAt = new Date();
        const started = performance.now();
        const base = {
          requestHash: hashed.hash,
          modelId: inner.id,
          ...(context.stage === undefined ? {} : { stage: context.stage }),
          ...(context.itemId === undefined ? {} : { itemId: context.itemId }),
          attempt: context.attempt ?? 1,
          requestJson: hashed.json,
          startedAt,
        };
        let response: GenerateResponse;
        try {
          response = await inner.generate(request, callOptions);
        } catch (error) {
          const latencyMs = performance.now() - started;
          const failure = error instanceof Error ? error : new Error(String(error));
          await options.log.record({
            ...base,
            promptTokens: 0,
            completionTokens: 0,
            latencyMs,
            ...(failure instanceof ApiCallError && failure.status !== undefined
              ? { httpStatus: failure.status }
              : {}),
            errorName: failure.name,
            errorMessage: failure.message,
            finishedAt: new Date(),
          });
          const usage = { promptTokens: 0, completionTokens: 0 };
          context.onEvent?.({
            type: 'call',
            usage,
            cost: undefined,
            latencyMs,
            attempt: base.attempt,
            error: failure,
          });
          throw error;
        }
        const latencyMs = performance.now() - started;
        const cost = costOf(prices, inner.id, response.usage);
        await options.log.record({
          ...base,
          responseJson: JSON.stringify(response),
          promptTokens: response.usage.promptTokens,
          completionTokens: response.usage.completionTokens,
          ...(cost === undefined ? {} : { cost }),
          latencyMs,
          finishedAt: new Date(),
        });
        options.budget?.add(response.usage.promptTokens + response.usage.completionTokens, cost);
        context.onEvent?.({
          type: 'call',
          usage: response.usage,
          cost,
          latencyMs,
          attempt: base.attempt,
          error: undefined,
        });
        return response;
      },
    );
  };
}
