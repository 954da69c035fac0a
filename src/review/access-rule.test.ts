import { describe, expect, it } from 'vitest';
import { allowedHosts, checkBindOptions, isLoopbackHost, requestToken, tokenMatches } from './access-rule.js';

describe('view access rule', () => {
  it('tells loopback from other addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.4', 'example.org', '128.0.0.1'])
      expect(isLoopbackHost(host), host).toBe(false);
  });

  it('needs a token of 16 characters or more off loopback', () => {
    expect(() => checkBindOptions('127.0.0.1', undefined)).not.toThrow();
    expect(() => checkBindOptions('0.0.0.0', undefined)).toThrow(/--token/);
    expect(() => checkBindOptions('0.0.0.0', 'x'.repeat(15))).toThrow(/16/);
    expect(() => checkBindOptions('0.0.0.0', 'x'.repeat(16))).not.toThrow();
  });

  it('reads the token from a bearer header, the cookie or the query, and compares it exactly', () => {
    expect(requestToken({ authorization: 'Bearer abc', cookie: undefined, query: undefined })).toBe('abc');
    expect(
      requestToken({ authorization: undefined, cookie: 'a=1; medistill_view_token=t%3Dk', query: undefined }),
    ).toBe('t=k');
    expect(requestToken({ authorization: undefined, cookie: undefined, query: 'q' })).toBe('q');
    expect(tokenMatches('secret', 'secret')).toBe(true);
    expect(tokenMatches('secreT', 'secret')).toBe(false);
    expect(tokenMatches('secret-longer', 'secret')).toBe(false);
    expect(tokenMatches(undefined, 'secret')).toBe(false);
  });

  it('allows the bound name and, on loopback, the usual loopback names', () => {
    expect([...allowedHosts('127.0.0.1', 8377)].sort()).toEqual([
      '127.0.0.1:8377',
      '[::1]:8377',
      'localhost:8377',
    ]);
    expect([...allowedHosts('192.168.1.4', 80)]).toEqual(['192.168.1.4:80']);
    expect([...allowedHosts('::', 80)]).toEqual(['[::]:80']);
  });
});
