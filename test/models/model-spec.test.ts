import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { apiKeyFor, modelIdOf, parseModelSpec, type ServerModelSpec } from '../../src/models/model-spec.js';

function server(spec: string): ServerModelSpec {
  const parsed = parseModelSpec(spec);
  if (parsed.kind !== 'openai-compatible') throw new Error(`expected a server spec from ${spec}`);
  return parsed;
}

describe('model spec strings', () => {
  it('parses an OpenAI-compatible URL with a model name that has slashes', () => {
    expect(parseModelSpec('openai-compatible:http://127.0.0.1:8000/v1#Qwen/Qwen3-235B-A22B')).toEqual({
      kind: 'openai-compatible',
      provider: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:8000/v1',
      model: 'Qwen/Qwen3-235B-A22B',
      structuredOutput: 'auto',
    });
  });

  it('fills in the defaults of openai:, ollama:, vllm: and llama-server:', () => {
    expect(server('openai:gpt-4o-mini')).toMatchObject({
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
    });
    expect(server('ollama:llama3')).toMatchObject({ baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3' });
    expect(server('ollama:http://gpu-box:11434/v1#llama3:8b')).toMatchObject({
      baseUrl: 'http://gpu-box:11434/v1',
      model: 'llama3:8b',
    });
    expect(server('vllm:http://10.0.0.2:8000/v1/#meta/llama')).toMatchObject({
      provider: 'vllm',
      baseUrl: 'http://10.0.0.2:8000/v1',
    });
    expect(server('llama-server:http://127.0.0.1:8080/v1')).toMatchObject({
      model: 'default',
      structuredOutput: 'json-schema-field',
    });
  });

  it('parses gguf paths and leaves them to the embedded runtime', () => {
    expect(parseModelSpec('gguf:./student.gguf')).toEqual({ kind: 'gguf', path: './student.gguf' });
  });

  it('reads options at the end of the spec', () => {
    expect(
      server(
        'openai-compatible:https://api.together.xyz/v1#Qwen/Qwen3?key_env=TOGETHER_KEY&structured=response-format',
      ),
    ).toMatchObject({
      model: 'Qwen/Qwen3',
      keyEnv: 'TOGETHER_KEY',
      structuredOutput: 'response-format',
    });
  });

  it.each([
    ['no kind', 'gpt-4o-mini', /expected "<kind>:<target>"/],
    ['unknown kind', 'bedrock:claude', /unknown kind "bedrock"/],
    ['missing model', 'openai-compatible:http://127.0.0.1:8000/v1', /model: a model name is required/],
    ['not a URL', 'vllm:localhost:8000#x', /expected an http\(s\) URL/],
    ['unknown option', 'openai:gpt-4o?colour=red', /unknown option "colour"/],
    ['bad key variable', 'openai:gpt-4o?key_env=1abc', /keyEnv: must be an environment variable name/],
    ['bad structured mode', 'openai:gpt-4o?structured=grammar', /structuredOutput/],
    ['empty gguf path', 'gguf:', /a file path is required/],
  ])('refuses %s with one clear ConfigError', (_, spec, message) => {
    expect(() => parseModelSpec(spec)).toThrow(ConfigError);
    expect(() => parseModelSpec(spec)).toThrow(message);
  });

  it('gives equivalent spellings one id, and the key variable is not part of it', () => {
    const a = modelIdOf(parseModelSpec('vllm:http://h:8000/v1#m'));
    const b = modelIdOf(parseModelSpec('openai-compatible:http://h:8000/v1/#m?key_env=K'));
    expect(a).toBe(b);
    expect(modelIdOf(parseModelSpec('openai:gpt-4o-mini'))).toBe('openai:gpt-4o-mini');
  });
});

describe('API keys come from the environment only', () => {
  it('uses OPENAI_API_KEY for api.openai.com', () => {
    expect(apiKeyFor(server('openai:gpt-4o-mini'), { OPENAI_API_KEY: 'sk-a' })).toBe('sk-a');
    expect(apiKeyFor(server('openai:gpt-4o-mini'), { MEDISTILL_API_KEY: 'sk-m' })).toBe('sk-m');
    expect(() => apiKeyFor(server('openai:gpt-4o-mini'), {})).toThrow(/set OPENAI_API_KEY/);
  });

  it('never sends the OpenAI key to another host', () => {
    expect(apiKeyFor(server('vllm:http://h:8000/v1#m'), { OPENAI_API_KEY: 'sk-a' })).toBeUndefined();
    expect(
      apiKeyFor(server('vllm:http://h:8000/v1#m'), { OPENAI_API_KEY: 'sk-a', MEDISTILL_API_KEY: 'k' }),
    ).toBe('k');
  });

  it('uses key_env when named, and says so when it is unset', () => {
    expect(
      apiKeyFor(server('vllm:http://h/v1#m?key_env=MY_KEY'), { MY_KEY: 'x1', MEDISTILL_API_KEY: 'y' }),
    ).toBe('x1');
    expect(() => apiKeyFor(server('vllm:http://h/v1#m?key_env=MY_KEY'), {})).toThrow(
      /key_env=MY_KEY.*not set/,
    );
  });
});
