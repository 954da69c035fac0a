import { EndpointGuard } from '../privacy/endpoint-guard.js';
import { applyPrivacyFlags, type PrivacyFlags, privacyPolicySchema } from '../privacy/policy.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Spread into `.option(...)`: each command declares the privacy flags it takes in its own chain. */
export const localOnlyFlag = [
  '--local-only',
  'send data only to in-process models and loopback endpoints',
] as const;
export const allowEndpointFlag = [
  '--allow-endpoint <host>',
  'also allow this host (name or address; repeat for more); switches the policy to allow-list',
  collect,
] as const;
export const phiOkFlag = [
  '--phi-ok',
  'send items to an allowed remote endpoint even though the identifier scan flags some',
] as const;
export const redactPhiFlag = [
  '--redact-phi',
  'replace likely identifiers with placeholders before the run uses the items',
] as const;

/**
 * The guard a one-off command (ask, eval, vqa) uses: none unless a privacy flag is given, so
 * these commands stay `open` by default (decision 0010); with `--local-only` or
 * `--allow-endpoint`, specs are checked and pinned as in a run.
 */
export function commandGuard(flags: PrivacyFlags): EndpointGuard | undefined {
  if (!flags.localOnly && !(flags.allowEndpoint && flags.allowEndpoint.length > 0)) return undefined;
  return new EndpointGuard(applyPrivacyFlags(privacyPolicySchema.parse({ mode: 'open' }), flags));
}
