import type { z } from 'zod';
import { AbortedError, ApiCallError } from '../../errors.js';
import { retryWithBackoff } from '../../models/middleware/retry-with-backoff.js';
import { isRetryableStatus, parseRetryAfter, redactSecrets } from '../../models/openai-compatible-errors.js';
import { uploadedFileSchema } from './together-api.js';

/** A small JSON client for the fine-tuning API: bearer auth, retries on 408/409/429/5xx, typed errors. */
export class TogetherClient {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
    readonly fetch: typeof globalThis.fetch,
    readonly signal: AbortSignal | undefined,
  ) {}

  async upload(fileName: string, content: string): Promise<string> {
    const response = await this.json('POST', '/files/upload', uploadedFileSchema, () => {
      const form = new FormData();
      form.set('purpose', 'fine-tune');
      form.set('file_name', fileName);
      form.set('file_type', 'jsonl');
      form.set('file', new Blob([content], { type: 'application/jsonl' }), fileName);
      return form;
    });
    return response.id;
  }

  json<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: T,
    body?: unknown | (() => FormData),
    options: { idempotent?: boolean } = {},
  ): Promise<z.infer<T>> {
    // Only an explicit refusal (429) is safe to repeat for a request that is not idempotent.
    const retryable = (status?: number): boolean =>
      options.idempotent === false ? status === 429 : status === undefined || isRetryableStatus(status);
    const url = `${this.baseUrl}${path}`;
    return retryWithBackoff(
      async () => {
        const payload = typeof body === 'function' ? (body as () => FormData)() : body;
        let response: Response;
        try {
          response = await this.fetch(url, {
            method,
            headers: {
              authorization: `Bearer ${this.key}`,
              ...(payload !== undefined && !(payload instanceof FormData)
                ? { 'content-type': 'application/json' }
                : {}),
            },
            ...(payload === undefined
              ? {}
              : { body: payload instanceof FormData ? payload : JSON.stringify(payload) }),
            ...(this.signal ? { signal: this.signal } : {}),
          });
        } catch (error) {
          if (this.signal?.aborted)
            throw new AbortedError('the Together request was aborted', { cause: error });
          throw new ApiCallError(`${method} ${url} failed: ${(error as Error).message}`, {
            url,
            isRetryable: retryable(),
            cause: error,
          });
        }
        const text = await response.text();
        if (!response.ok) {
          const responseBody = redactSecrets(text.slice(0, 2000), [this.key]);
          throw new ApiCallError(`${method} ${url}: HTTP ${response.status} ${responseBody}`, {
            url,
            status: response.status,
            responseBody,
            isRetryable: retryable(response.status),
            ...optionalNumber('retryAfterMs', parseRetryAfter(response.headers)),
          });
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          throw new ApiCallError(`${method} ${url}: the answer is not JSON`, {
            url,
            isRetryable: retryable(),
            cause: error,
          });
        }
        const parsed = schema.safeParse(value);
        if (!parsed.success)
          throw new ApiCallError(
            `${method} ${url}: unexpected answer (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
            { url, status: response.status, isRetryable: false },
          );
        return parsed.data;
      },
      { maxRetries: 4 },
      this.signal,
    );
  }
}

function optionalNumber(name: 'retryAfterMs', value: number | undefined): { retryAfterMs?: number } {
  return value === undefined ? {} : { [name]: value };
}
