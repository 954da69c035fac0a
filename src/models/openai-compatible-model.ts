import type { ClientOptions } from 'openai';
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { ApiCallError, ConfigError } from '../errors.js';
import type {
  CallOptions,
  GenerateChoice,
  GenerateRequest,
  GenerateResponse,
  LanguageModel,
} from './language-model.js';
import {
  apiKeyFor,
  modelIdOf,
  parseModelSpec,
  type ServerModelSpec,
  type StructuredOutputMode,
} from './model-spec.js';
import { toModelCallError } from './openai-compatible-errors.js';
import { parseFiniteJson } from './openai-compatible-json-output.js';
import { type ParsedCompletion, parseCompletion, toOpenAiMessages } from './openai-compatible-messages.js';

export interface OpenAICompatibleModelOptions {
  /** e.g. `http://127.0.0.1:8080/v1`. */
  baseUrl: string;
  /** The model name the server knows. */
  model: string;
  /** Sent as a bearer token; never stored, logged or put in an error. */
  apiKey?: string;
  /** Identity for cache keys; defaults to `openai-compatible:<baseUrl>#<model>`. */
  id?: string;
  structuredOutput?: StructuredOutputMode;
  /** The client's own per-request limit; the timeout middleware is the main guard. */
  timeoutMs?: number;
  /** Replace fetch (to inject faults in tests). */
  fetch?: ClientOptions['fetch'];
  /** Extra fields merged into every request body (e.g. `chat_template_kwargs`). */
  extraBody?: Record<string, unknown>;
}

type RequestBody = ChatCompletionCreateParamsNonStreaming & { json_schema?: Record<string, unknown> };

/**
 * A LanguageModel over any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama-server)
 * through the official `openai` client. The client's own retries are off: retry, rate limiting,
 * caching and accounting are middleware around this class, so each policy lives in one place.
 */
export class OpenAICompatibleModel implements LanguageModel {
  readonly id: string;
  readonly #client: OpenAI;
  readonly #options: OpenAICompatibleModelOptions;
  readonly #secrets: string[];
  /** Learned in `auto` mode: once the server refuses `response_format`, use the body field. */
  #structuredOutput: Exclude<StructuredOutputMode, 'auto'>;
  readonly #mayFallBack: boolean;
  /** Learned when a server refuses a large `n` (llama-server allows at most its slot count). */
  #maxSamplesPerRequest = Number.POSITIVE_INFINITY;

  constructor(options: OpenAICompatibleModelOptions) {
    this.#options = options;
    this.id = options.id ?? `openai-compatible:${options.baseUrl.replace(/\/+$/, '')}#${options.model}`;
    this.#secrets = options.apiKey ? [options.apiKey] : [];
    const mode = options.structuredOutput ?? 'auto';
    this.#structuredOutput = mode === 'json-schema-field' ? 'json-schema-field' : 'response-format';
    this.#mayFallBack = mode === 'auto';
    const isOpenAi = new URL(options.baseUrl).hostname === 'api.openai.com';
    this.#client = new OpenAI({
      baseURL: options.baseUrl,
      // Local servers need no key, but the client insists on one.
      apiKey: options.apiKey ?? 'no-key',
      // Organisation and project ids from the environment belong to OpenAI only.
      organization: isOpenAi ? undefined : null,
      project: isOpenAi ? undefined : null,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 10 * 60_000,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async generate(request: GenerateRequest, options: CallOptions = {}): Promise<GenerateResponse> {
    const wanted = Math.max(1, request.n ?? 1);
    const choices: GenerateChoice[] = [];
    let promptTokens = 0;
    let completionTokens = 0;
    let modelName: string | undefined;
    // Servers that ignore `n` (Ollama) return one choice: ask again for the rest.
    for (let round = 0; choices.length < wanted && round < wanted; round += 1) {
      const remaining = wanted - choices.length;
      const seed = request.seed === undefined ? undefined : request.seed + round;
      const completion = await this.#completeWithinSampleLimit(
        { ...request, n: remaining, ...(seed === undefined ? {} : { seed }) },
        options,
      );
      const received = completion.choices.slice(0, remaining);
      choices.push(...(request.jsonSchema === undefined ? received : received.map(markInvalidJson)));
      promptTokens += completion.promptTokens;
      completionTokens += completion.completionTokens;
      modelName ??= completion.modelName;
    }
    return { choices, usage: { promptTokens, completionTokens }, ...(modelName ? { modelName } : {}) };
  }

  async #completeWithinSampleLimit(
    request: GenerateRequest,
    options: CallOptions,
  ): Promise<ParsedCompletion> {
    const n = Math.min(request.n ?? 1, this.#maxSamplesPerRequest);
    try {
      return await this.#complete({ ...request, n }, options);
    } catch (error) {
      const limit =
        n > 1 && error instanceof ApiCallError && error.status === 400 ? sampleLimitIn(error) : undefined;
      if (limit === undefined || limit >= n) throw error;
      this.#maxSamplesPerRequest = limit;
      return this.#complete({ ...request, n: limit }, options);
    }
  }

  async #complete(request: GenerateRequest, options: CallOptions): Promise<ParsedCompletion> {
    try {
      return await this.#send(this.#body(request, this.#structuredOutput), options);
    } catch (error) {
      const canFallBack =
        this.#mayFallBack &&
        request.jsonSchema !== undefined &&
        this.#structuredOutput === 'response-format' &&
        error instanceof ApiCallError &&
        (error.status === 400 || error.status === 500);
      if (!canFallBack) throw error;
      const completion = await this.#send(this.#body(request, 'json-schema-field'), options);
      this.#structuredOutput = 'json-schema-field';
      return completion;
    }
  }

  #body(request: GenerateRequest, structuredOutput: Exclude<StructuredOutputMode, 'auto'>): RequestBody {
    const body: RequestBody = {
      ...this.#options.extraBody,
      model: this.#options.model,
      messages: toOpenAiMessages(request.messages),
    };
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (request.seed !== undefined) body.seed = request.seed;
    if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
    if ((request.n ?? 1) > 1) body.n = request.n ?? 1;
    if (request.logprobs) body.logprobs = true;
    if (request.jsonSchema !== undefined) {
      if (structuredOutput === 'json-schema-field') body.json_schema = request.jsonSchema;
      else
        body.response_format = {
          type: 'json_schema',
          json_schema: { name: 'output', schema: request.jsonSchema },
        };
    }
    return body;
  }

  async #send(body: RequestBody, options: CallOptions): Promise<ParsedCompletion> {
    const url = this.#options.baseUrl;
    let data: unknown;
    // The client adds an abort listener to the signal it is given and never removes it: hand it a
    // per-call signal, so a run-long signal shared by thousands of calls does not collect them.
    const linked = linkedSignal(options.signal);
    try {
      const { data: received } = await this.#client.chat.completions
        .create(body, linked ? { signal: linked.signal } : {})
        .withResponse();
      data = received;
    } catch (error) {
      throw toModelCallError(error, {
        url,
        model: this.#options.model,
        secrets: this.#secrets,
        signal: options.signal,
      });
    } finally {
      linked?.dispose();
    }
    const parsed = parseCompletion(data);
    if ('problem' in parsed) {
      throw new ApiCallError(`unexpected response from ${url}: ${parsed.problem}`, {
        url,
        isRetryable: true,
      });
    }
    return parsed.completion;
  }
}

/** The most samples a server says it allows per request, read from its complaint about `n`. */
function sampleLimitIn(error: ApiCallError): number | undefined {
  const text = `${error.message} ${error.responseBody ?? ''}`;
  if (!/\b(n|n_cmpl)\b/.test(text)) return undefined;
  const match = /(?:<=|at most|maximum(?: is)?|less than or equal to)\s*(\d+)/i.exec(text);
  return match?.[1] ? Math.max(1, Number(match[1])) : 1;
}

/**
 * Under a schema, a choice that stopped normally but is not usable JSON (see parseFiniteJson) is
 * marked `finishReason: 'error'` so callers can drop it without parsing; a choice cut short keeps
 * `length`, which already says it is incomplete.
 */
function markInvalidJson(choice: GenerateChoice): GenerateChoice {
  if (choice.finishReason === 'length' || parseFiniteJson(choice.text) !== undefined) return choice;
  return { ...choice, finishReason: 'error' };
}

/** Creates the adapter from explicit options. */
export function createOpenAICompatibleModel(options: OpenAICompatibleModelOptions): LanguageModel {
  return new OpenAICompatibleModel(options);
}

export interface ServerModelFromSpecOptions {
  environment?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  fetch?: ClientOptions['fetch'];
}

/**
 * Creates the adapter for a server spec string (`openai:gpt-4o-mini`, `vllm:URL#name`, ...), with
 * the API key looked up in the environment. A `gguf:` spec belongs to the embedded runtime and is
 * refused here.
 */
export function createServerModelFromSpec(
  spec: string | ServerModelSpec,
  options: ServerModelFromSpecOptions = {},
): LanguageModel {
  const parsed = typeof spec === 'string' ? parseModelSpec(spec) : spec;
  if (parsed.kind !== 'openai-compatible') {
    throw new ConfigError(
      `"${parsed.kind}:" models run in the embedded runtime, not through a server client`,
    );
  }
  const apiKey = apiKeyFor(parsed, options.environment);
  return new OpenAICompatibleModel({
    baseUrl: parsed.baseUrl,
    model: parsed.model,
    id: modelIdOf(parsed),
    structuredOutput: parsed.structuredOutput,
    ...(apiKey ? { apiKey } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** A signal that aborts with `parent`, whose link to `parent` is removed by `dispose`. */
function linkedSignal(parent: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } | undefined {
  if (!parent) return undefined;
  const controller = new AbortController();
  const forward = () => controller.abort(parent.reason);
  if (parent.aborted) forward();
  else parent.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, dispose: () => parent.removeEventListener('abort', forward) };
}
