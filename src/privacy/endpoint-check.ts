import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConfigError, PrivacyError } from '../errors.js';
import { parseModelSpecOrPath } from '../models/model-spec.js';
import { describePolicy, type PrivacyPolicy } from './policy.js';

/** Resolves a host name to every address it has (dns.lookup with `all: true` by default). */
export type LookupAddresses = (hostname: string) => Promise<{ address: string; family: number }[]>;

/** A model that runs inside this process: nothing is sent anywhere. */
export interface InProcessEndpoint {
  kind: 'in-process';
  spec: string;
}

/** A server endpoint, resolved once: every request of the run goes to `address`, nowhere else. */
export interface NetworkEndpoint {
  kind: 'network';
  spec: string;
  /** The spec's base URL. */
  url: URL;
  /** The host name as written, lower case, without IPv6 brackets. */
  host: string;
  /** The pinned address. */
  address: string;
  family: 4 | 6;
  /** Every address the host resolved to is a loopback address. */
  local: boolean;
}

export type Endpoint = InProcessEndpoint | NetworkEndpoint;

export interface EndpointCheckOptions {
  /** Replaces DNS (tests resolve names only to loopback this way). */
  lookup?: LookupAddresses;
  /** Which role the spec plays, for the message (`teacher`, `judge`, `--model`). */
  role?: string;
}

const defaultLookup: LookupAddresses = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.toLowerCase().replace(/^::ffff:/, '');
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1' || plain === '0:0:0:0:0:0:0:1';
}

/** `localhost` and `*.localhost` always mean this machine (RFC 6761). */
export function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * Checks a model spec against the policy before anything is sent, and pins its address: a DNS
 * name is resolved once here and every request of the run connects to the address found (see
 * pinnedFetch), so a later DNS answer cannot move the traffic. `knowledge-base` and `gguf:` models
 * run in-process and always pass.
 *
 * A name is looked up only once the policy allows it (`localhost`, a listed name, or any name
 * under `open`), so a refused spec costs no DNS query. Loopback endpoints pass under `local-only`
 * and `allow-list`, except that a list naming loopback addresses allows only those (so one local
 * server can be kept out). Throws PrivacyError naming the spec, the policy and how to allow it.
 */
export async function checkEndpoint(
  spec: string,
  policy: PrivacyPolicy,
  options: EndpointCheckOptions = {},
): Promise<Endpoint> {
  if (spec === 'knowledge-base') return { kind: 'in-process', spec };
  const parsed = parseModelSpecOrPath(spec);
  if (parsed.kind === 'gguf') return { kind: 'in-process', spec };
  const url = new URL(parsed.baseUrl);
  const host = bare(url.hostname);
  const allowed = new Set(policy.allow.map(bare));
  const listed = policy.mode === 'allow-list' && allowed.has(host);
  const narrowsLoopback = [...allowed].some((entry) => isLoopbackAddress(entry) || isLocalhostName(entry));
  const loopbackAllowed = policy.mode === 'local-only' || (policy.mode === 'allow-list' && !narrowsLoopback);
  const refuse = (reason = ''): never => {
    throw new PrivacyError(
      `${options.role ?? 'model'} "${spec}" sends data to ${host}${reason}, which the privacy policy ` +
        `${describePolicy(policy)} does not allow. To allow it, add "privacy: { mode: allow-list, ` +
        `allow: [${host}] }" to the run config or pass --allow-endpoint ${host}.`,
    );
  };
  if (isIP(host)) {
    const local = isLoopbackAddress(host);
    if (!(policy.mode === 'open' || listed || (local && loopbackAllowed))) refuse();
    return { kind: 'network', spec, url, host, address: host, family: isIP(host) === 6 ? 6 : 4, local };
  }
  const mayResolve = policy.mode === 'open' || listed || (isLocalhostName(host) && loopbackAllowed);
  if (!mayResolve) refuse(policy.mode === 'local-only' ? ' (a name other than localhost)' : '');
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (options.lookup ?? defaultLookup)(host);
  } catch (error) {
    throw new ConfigError(`${options.role ?? 'model'} "${spec}": cannot resolve ${host}`, { cause: error });
  }
  const first = addresses[0];
  if (!first)
    throw new PrivacyError(`${options.role ?? 'model'} "${spec}": ${host} did not resolve to any address`);
  const local = addresses.every((entry) => isLoopbackAddress(entry.address));
  // A listed name may go anywhere it resolves; localhost must really be this machine.
  if (!local && !listed && policy.mode !== 'open')
    refuse(` (it resolves to ${first.address}, not a loopback address)`);
  return {
    kind: 'network',
    spec,
    url,
    host,
    address: first.address,
    family: first.family === 6 ? 6 : 4,
    local,
  };
}

function bare(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}
