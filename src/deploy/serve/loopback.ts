import { isIP } from 'node:net';
import { ConfigError } from '../../errors.js';

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * Bound beyond loopback, anyone on the network can use the model: an API key is then required.
 * Checked before anything starts.
 */
export function checkServeAccess(host: string, apiKey: string | undefined): void {
  if (!isLoopbackHost(host) && !apiKey) {
    throw new ConfigError(
      `--host ${host} is reachable from other machines: set an API key with --api-key or MEDISTILL_API_KEY (or bind to 127.0.0.1)`,
    );
  }
}
