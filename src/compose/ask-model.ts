import type { ChatMessage, GenerateResponse, LanguageModel } from '../models/language-model.js';
import { wrapModel } from '../models/middleware/model-middleware.js';
import { withRetry } from '../models/middleware/retrying-model.js';
import { withTimeout } from '../models/middleware/timeout-model.js';

export interface AskModelOptions {
  modelSpec: string;
  /** Turns a spec into a model; injected so this code does not decide which adapters exist. */
  resolveModel: (spec: string) => Promise<LanguageModel>;
  question: string;
  system?: string;
  maxTokens?: number;
  temperature?: number;
  seed?: number;
  /** Answers to sample (more than one asks for `n`). */
  samples: number;
  timeoutMs: number;
  retries: number;
}

/**
 * What `medistill ask` does: one question to one model, with retries and a timeout, the quickest
 * check that an endpoint, key and model name work. The model is closed afterwards.
 */
export async function askModel(
  options: AskModelOptions,
): Promise<{ modelId: string; response: GenerateResponse }> {
  const base = await options.resolveModel(options.modelSpec);
  const model = wrapModel(
    base,
    withRetry({ maxRetries: options.retries, initialDelayMs: 500 }),
    withTimeout(options.timeoutMs),
  );
  const messages: ChatMessage[] = [];
  if (options.system) messages.push({ role: 'system', content: options.system });
  messages.push({ role: 'user', content: options.question });
  try {
    const response = await model.generate({
      messages,
      ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
      ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.samples > 1 ? { n: options.samples } : {}),
    });
    return { modelId: base.id, response };
  } finally {
    await base.close?.();
  }
}
