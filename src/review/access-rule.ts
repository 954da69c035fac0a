import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ConfigError } from '../errors.js';

/** Whether a host name or address to bind is loopback-only. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/**
 * The bind rule: loopback by default; any other address only with a token (which every request
 * must then carry). A token too short to resist guessing is refused.
 */
export function checkBindOptions(host: string, token: string | undefined): void {
  if (!isLoopbackHost(host) && token === undefined)
    throw new ConfigError(`--host ${host} is not loopback: give --token so every request must carry it`);
  if (token !== undefined && token.length < 16)
    throw new ConfigError('--token must be at least 16 characters');
}

export const tokenCookieName = 'medistill_view_token';

/** Constant-time comparison, so the token cannot be found a character at a time. */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: a bearer header, the viewer's cookie, or `?token=` (the first visit). */
export function requestToken(request: {
  authorization: string | undefined;
  cookie: string | undefined;
  query: string | undefined;
}): string | undefined {
  const bearer = /^Bearer (.+)$/.exec(request.authorization ?? '')?.[1];
  if (bearer) return bearer;
  for (const part of (request.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === tokenCookieName) return decodeURIComponent(value.join('='));
  }
  return request.query;
}

/**
 * Host names a request may address: the bound host and, on loopback, its usual names. A page on
 * another site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused by this.
 */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set([host.includes(':') && !host.startsWith('[') ? `[${host}]` : host]);
  if (isLoopbackHost(host)) for (const name of ['localhost', '127.0.0.1', '[::1]']) names.add(name);
  return new Set([...names].map((name) => `${name}:${port}`));
}
