import { z } from 'zod';
import { ConfigError } from '../errors.js';

/**
 * How structured (JSON-schema) output is asked for: the OpenAI `response_format`, llama-server's
 * own `json_schema` body field (which works where its `response_format` fails to build a sampler
 * for a homemade chat template), or `auto`: `response_format` first, then the field if the server
 * refuses it.
 */
export const structuredOutputModes = ['auto', 'response-format', 'json-schema-field'] as const;
export type StructuredOutputMode = (typeof structuredOutputModes)[number];

const environmentVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

const serverSpecSchema = z.strictObject({
  kind: z.literal('openai-compatible'),
  /** Which spelling the user wrote; only the defaults it implies differ. */
  provider: z.enum(['openai-compatible', 'openai', 'ollama', 'vllm', 'llama-server']),
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  model: z.string().min(1, 'a model name is required after "#"'),
  /** Name (never the value) of the environment variable holding the API key. */
  keyEnv: environmentVariableName.optional(),
  structuredOutput: z.enum(structuredOutputModes),
});

const ggufSpecSchema = z.strictObject({
  kind: z.literal('gguf'),
  path: z.string().min(1, 'a file path is required after "gguf:"'),
});

export const modelSpecSchema = z.discriminatedUnion('kind', [serverSpecSchema, ggufSpecSchema]);
export type ModelSpec = z.infer<typeof modelSpecSchema>;
export type ServerModelSpec = z.infer<typeof serverSpecSchema>;
export type GgufModelSpec = z.infer<typeof ggufSpecSchema>;

const openAiBaseUrl = 'https://api.openai.com/v1';
const ollamaBaseUrl = 'http://127.0.0.1:11434/v1';
const specOptionNames = new Set(['key_env', 'structured']);

/**
 * Parses a model spec string:
 * - `openai-compatible:http://127.0.0.1:8000/v1#Qwen/Qwen3-235B-A22B` (also `vllm:` and
 *   `llama-server:`, where the `#name` may be left out because the server hosts one model)
 * - `openai:gpt-4o-mini` (api.openai.com, key from OPENAI_API_KEY)
 * - `ollama:llama3` or `ollama:http://host:11434/v1#llama3`
 * - `gguf:./student.gguf` (resolved by the embedded runtime)
 * Options go at the end: `?key_env=MY_KEY&structured=json-schema-field`.
 */
export function parseModelSpec(spec: string): ModelSpec {
  const colon = spec.indexOf(':');
  if (colon <= 0)
    throw specError(spec, 'expected "<kind>:<target>", e.g. "openai:gpt-4o-mini" or "gguf:./model.gguf"');
  const kind = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  if (kind === 'gguf') return validate(spec, { kind: 'gguf', path: rest });
  const { target, options } = splitOptions(spec, rest);
  const keyEnv = options.get('key_env');
  const structured = options.get('structured');
  const common = {
    kind: 'openai-compatible' as const,
    ...(keyEnv === undefined ? {} : { keyEnv }),
  };
  switch (kind) {
    case 'openai':
    case 'ollama': {
      const hasUrl = /^https?:\/\//.test(target);
      const { baseUrl, model } = hasUrl
        ? splitUrlAndModel(spec, target)
        : { baseUrl: kind === 'openai' ? openAiBaseUrl : ollamaBaseUrl, model: target };
      return validate(spec, {
        ...common,
        provider: kind,
        baseUrl,
        model,
        structuredOutput: structured ?? 'response-format',
      });
    }
    case 'openai-compatible':
    case 'vllm': {
      const { baseUrl, model } = splitUrlAndModel(spec, target);
      return validate(spec, {
        ...common,
        provider: kind,
        baseUrl,
        model,
        structuredOutput: structured ?? 'auto',
      });
    }
    case 'llama-server': {
      const { baseUrl, model } = splitUrlAndModel(spec, target);
      return validate(spec, {
        ...common,
        provider: kind,
        baseUrl,
        model: model || 'default',
        structuredOutput: structured ?? 'json-schema-field',
      });
    }
    default:
      throw specError(
        spec,
        `unknown kind "${kind}" (expected openai-compatible, openai, ollama, vllm, llama-server or gguf)`,
      );
  }
}

/** Like parseModelSpec, but a bare path ending in `.gguf` means `gguf:<path>`. */
export function parseModelSpecOrPath(spec: string): ModelSpec {
  return parseModelSpec(spec.endsWith('.gguf') && !spec.includes(':') ? `gguf:${spec}` : spec);
}

/**
 * The stable identity of a spec for cache keys and reports. Equivalent spellings (`vllm:` and
 * `openai-compatible:` at the same URL) share an id; the key variable's name is not part of it
 * because it cannot change what the model answers.
 */
export function modelIdOf(spec: ModelSpec): string {
  if (spec.kind === 'gguf') return `gguf:${spec.path}`;
  if (spec.baseUrl === openAiBaseUrl) return `openai:${spec.model}`;
  return `openai-compatible:${spec.baseUrl}#${spec.model}`;
}

/**
 * Finds the API key for a server spec in the environment: the spec's `key_env` if named (and then
 * it must be set), else MEDISTILL_API_KEY; OPENAI_API_KEY only for api.openai.com, so an OpenAI key
 * is never sent to some other host. Returns undefined when no key is needed or none is set.
 */
export function apiKeyFor(
  spec: ServerModelSpec,
  environment: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (spec.keyEnv !== undefined) {
    const value = environment[spec.keyEnv];
    if (!value)
      throw new ConfigError(
        `the model spec names key_env=${spec.keyEnv}, but that environment variable is not set`,
      );
    return value;
  }
  const isOpenAi = new URL(spec.baseUrl).hostname === 'api.openai.com';
  const key =
    (isOpenAi ? environment.OPENAI_API_KEY : undefined) || environment.MEDISTILL_API_KEY || undefined;
  if (isOpenAi && !key)
    throw new ConfigError('api.openai.com needs an API key: set OPENAI_API_KEY (or MEDISTILL_API_KEY)');
  return key;
}

function splitOptions(spec: string, rest: string): { target: string; options: Map<string, string> } {
  const options = new Map<string, string>();
  const match = /\?([A-Za-z_]+=[^&?#]*(?:&[A-Za-z_]+=[^&?#]*)*)$/.exec(rest);
  if (!match) return { target: rest, options };
  for (const pair of (match[1] ?? '').split('&')) {
    const [name = '', value = ''] = pair.split('=');
    if (!specOptionNames.has(name)) {
      throw specError(spec, `unknown option "${name}" (known: ${[...specOptionNames].join(', ')})`);
    }
    options.set(name, decodeURIComponent(value));
  }
  return { target: rest.slice(0, match.index), options };
}

function splitUrlAndModel(spec: string, target: string): { baseUrl: string; model: string } {
  const hash = target.indexOf('#');
  const url = hash < 0 ? target : target.slice(0, hash);
  const model = hash < 0 ? '' : target.slice(hash + 1);
  if (!/^https?:\/\//.test(url))
    throw specError(spec, `expected an http(s) URL before "#model", got "${url}"`);
  return { baseUrl: url.replace(/\/+$/, ''), model };
}

function validate(spec: string, candidate: unknown): ModelSpec {
  const parsed = modelSpecSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') || 'spec';
  throw specError(spec, `${field}: ${issue?.message ?? 'invalid'}`);
}

function specError(spec: string, reason: string): ConfigError {
  return new ConfigError(`invalid model spec "${spec}": ${reason}`);
}
