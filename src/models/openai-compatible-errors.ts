import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { AbortedError, ApiCallError } from '../errors.js';

/** Statuses worth another try: rate limits, timeouts, conflicts and server faults. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Reads how long a server asks us to wait: `retry-after-ms` (OpenAI's own), then `retry-after`
 * as seconds or an HTTP date. Returns undefined for absent or nonsensical values.
 */
export function parseRetryAfter(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const milliseconds = headers?.get('retry-after-ms');
  if (milliseconds && Number.isFinite(Number(milliseconds)) && Number(milliseconds) >= 0)
    return Number(milliseconds);
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Replaces every secret (and any bearer token or `sk-` key a server echoes back) with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) if (secret.length >= 4) redacted = redacted.split(secret).join('[redacted]');
  return redacted
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\bsk-[A-Za-z0-9_*.-]{3,}/g, 'sk-[redacted]');
}

interface ErrorContext {
  /** The base URL, for messages; never carries a key. */
  url: string;
  model: string;
  secrets: readonly string[];
  signal: AbortSignal | undefined;
}

/**
 * Turns whatever the openai client or fetch threw into our typed errors: ApiCallError with the
 * retry decision made here, once, or AbortedError when the caller's signal fired. Messages are
 * one line a user can act on, with secrets removed.
 */
export function toModelCallError(error: unknown, context: ErrorContext): Error {
  if (context.signal?.aborted) {
    return new AbortedError('the model call was aborted', { cause: context.signal.reason });
  }
  const { url, model } = context;
  const clean = (text: string) => redactSecrets(text, context.secrets);
  if (error instanceof APIUserAbortError)
    return new AbortedError('the model call was aborted', { cause: error });
  if (error instanceof APIConnectionTimeoutError) {
    return new ApiCallError(`request to ${url} timed out`, { url, isRetryable: true, cause: error });
  }
  if (error instanceof APIConnectionError) {
    const code = networkCode(error);
    const reason =
      code === 'ECONNREFUSED' ? 'connection refused; is the server running?' : (code ?? clean(error.message));
    return new ApiCallError(`could not connect to ${url}: ${reason}`, {
      url,
      isRetryable: true,
      cause: error,
    });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const body = clean(
      typeof error.error === 'object' ? JSON.stringify(error.error) : String(error.error ?? ''),
    );
    const serverMessage = clean(error.message.replace(/^\d{3}\s*/, ''));
    const retryAfterMs = parseRetryAfter(error.headers);
    return new ApiCallError(messageForStatus(status, url, model, serverMessage), {
      url,
      status,
      responseBody: body,
      ...(error.requestID ? { requestId: error.requestID } : {}),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      isRetryable: isRetryableStatus(status),
      cause: new Error(serverMessage),
    });
  }
  if (error instanceof SyntaxError) {
    return new ApiCallError(`malformed JSON in the response from ${url}: ${clean(error.message)}`, {
      url,
      isRetryable: true,
      cause: error,
    });
  }
  if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) {
    // undici reports a body cut short as TypeError("terminated").
    return new ApiCallError(`the response from ${url} was cut short: ${clean(error.message)}`, {
      url,
      isRetryable: true,
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function messageForStatus(status: number, url: string, model: string, serverMessage: string): string {
  const detail = serverMessage ? `: ${serverMessage}` : '';
  switch (status) {
    case 401:
      return `${url} rejected the API key (401); set MEDISTILL_API_KEY, OPENAI_API_KEY or the spec's key_env${detail}`;
    case 403:
      return `${url} refused access (403)${detail}`;
    case 404:
      return `${url} has no model "${model}" or no chat endpoint (404)${detail}`;
    case 429:
      return `${url} is rate limiting requests (429)${detail}`;
    default:
      return `${url} answered ${status}${detail}`;
  }
}

function networkCode(error: Error): string | undefined {
  let current: unknown = error.cause;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}
