import { describe, expect, it } from 'vitest';
import { PrivacyError } from '../errors.js';
import { checkEndpoint, isLoopbackAddress, type LookupAddresses } from './endpoint-check.js';
import { privacyPolicySchema } from './policy.js';

const localOnly = privacyPolicySchema.parse({});
const allow = (...hosts: string[]) => privacyPolicySchema.parse({ mode: 'allow-list', allow: hosts });
/** A resolver that knows only loopback answers, and counts its questions. */
function fakeLookup(answers: Record<string, string[]>): LookupAddresses & { asked: string[] } {
  const asked: string[] = [];
  const lookup = async (hostname: string) => {
    asked.push(hostname);
    return (answers[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { asked });
}

describe('checkEndpoint', () => {
  it('passes in-process models under any policy', async () => {
    expect((await checkEndpoint('knowledge-base', localOnly)).kind).toBe('in-process');
    expect((await checkEndpoint('gguf:./student.gguf', localOnly)).kind).toBe('in-process');
    expect((await checkEndpoint('./student.gguf', localOnly)).kind).toBe('in-process');
  });

  it('passes loopback addresses under local-only and marks them local', async () => {
    const endpoint = await checkEndpoint('llama-server:http://127.0.0.1:8080#tiny', localOnly);
    expect(endpoint).toMatchObject({ kind: 'network', host: '127.0.0.1', address: '127.0.0.1', local: true });
    const ipv6 = await checkEndpoint('vllm:http://[::1]:8000/v1#m', localOnly);
    expect(ipv6).toMatchObject({ host: '::1', family: 6, local: true });
  });

  it('resolves localhost once and pins the address it found', async () => {
    const lookup = fakeLookup({ localhost: ['127.0.0.1', '::1'] });
    const endpoint = await checkEndpoint('llama-server:http://localhost:9000#x', localOnly, { lookup });
    expect(endpoint).toMatchObject({ host: 'localhost', address: '127.0.0.1', local: true });
    expect(lookup.asked).toEqual(['localhost']);
  });

  it('refuses a hosted spec under local-only without asking DNS, naming spec, policy and remedy', async () => {
    const lookup = fakeLookup({});
    const refusal = checkEndpoint('openai:gpt-4o-mini', localOnly, { lookup, role: 'teacher' });
    await expect(refusal).rejects.toBeInstanceOf(PrivacyError);
    await expect(refusal).rejects.toThrow(
      /teacher "openai:gpt-4o-mini" sends data to api\.openai\.com .*local-only does not allow.*--allow-endpoint api\.openai\.com/,
    );
    expect(lookup.asked).toEqual([]);
  });

  it('accepts a listed name under allow-list and pins what it resolves to', async () => {
    const lookup = fakeLookup({ 'teacher.test': ['127.0.0.3'] });
    const endpoint = await checkEndpoint('vllm:http://teacher.test:8000/v1#m', allow('teacher.test'), {
      lookup,
    });
    expect(endpoint).toMatchObject({ host: 'teacher.test', address: '127.0.0.3' });
  });

  it('keeps loopback open under an allow-list of other hosts, but narrows it when the list names loopback', async () => {
    const spec = 'llama-server:http://127.0.0.2:8080#x';
    expect((await checkEndpoint(spec, allow('teacher.test'))).kind).toBe('network');
    await expect(checkEndpoint(spec, allow('127.0.0.1'))).rejects.toThrow(
      /sends data to 127\.0\.0\.2, which the privacy policy allow-list \(127\.0\.0\.1\) does not allow/,
    );
    expect((await checkEndpoint('llama-server:http://127.0.0.1:8080#x', allow('127.0.0.1'))).kind).toBe(
      'network',
    );
  });

  it('refuses localhost when it does not resolve to loopback', async () => {
    const lookup = fakeLookup({ localhost: [] });
    await expect(checkEndpoint('llama-server:http://localhost:1#x', localOnly, { lookup })).rejects.toThrow(
      /did not resolve/,
    );
  });
});

describe('isLoopbackAddress', () => {
  it('knows 127/8, ::1 and their mapped forms', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('127.255.0.9')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('0:0:0:0:0:0:0:1')).toBe(true);
    // Names are not addresses: a name is loopback only once it resolves to one.
    expect(isLoopbackAddress('localhost')).toBe(false);
  });
});
