import { z } from 'zod';

export const privacyModes = ['local-only', 'allow-list', 'open'] as const;
export type PrivacyMode = (typeof privacyModes)[number];

/**
 * Where a run may send item text, as a run config's `privacy:` block holds it. The default is
 * `local-only` (docs/decisions/0010-privacy-policy.md): a config that names a hosted teacher must
 * say so, so patient data never leaves the machine by accident.
 */
export const privacyPolicySchema = z.strictObject({
  /** `local-only`: in-process models and loopback endpoints; `allow-list`: also `allow`; `open`: anywhere. */
  mode: z.enum(privacyModes).default('local-only'),
  /** Host names or IP addresses allowed under `allow-list` (compared exactly, case-insensitive). */
  allow: z.array(z.string().min(1)).default([]),
  /** The user has seen the identifier scan's findings and accepts sending the items (`--phi-ok`). */
  acknowledged: z.boolean().default(false),
  /** Replace likely identifiers with consistent placeholders before the items are used. */
  redact: z.boolean().default(false),
});
export type PrivacyPolicy = z.infer<typeof privacyPolicySchema>;

export const defaultPrivacyPolicy: PrivacyPolicy = privacyPolicySchema.parse({});

/** What the CLI flags say about the policy; each one, when given, overrides the config. */
export interface PrivacyFlags {
  localOnly?: boolean | undefined;
  allowEndpoint?: string[] | undefined;
  phiOk?: boolean | undefined;
  redactPhi?: boolean | undefined;
}

/**
 * The config's policy with the CLI flags applied: `--local-only` wins over everything,
 * `--allow-endpoint` switches to `allow-list` (adding its hosts to the config's), `--phi-ok` and
 * `--redact-phi` set their fields.
 */
export function applyPrivacyFlags(policy: PrivacyPolicy, flags: PrivacyFlags): PrivacyPolicy {
  const next: PrivacyPolicy = { ...policy, allow: [...policy.allow] };
  if (flags.allowEndpoint && flags.allowEndpoint.length > 0) {
    next.mode = 'allow-list';
    next.allow.push(...flags.allowEndpoint);
  }
  if (flags.localOnly) next.mode = 'local-only';
  if (flags.phiOk) next.acknowledged = true;
  if (flags.redactPhi) next.redact = true;
  return next;
}

/** One line naming the policy, for messages. */
export function describePolicy(policy: PrivacyPolicy): string {
  if (policy.mode !== 'allow-list') return policy.mode;
  return `allow-list (${policy.allow.length === 0 ? 'no hosts' : policy.allow.join(', ')})`;
}
