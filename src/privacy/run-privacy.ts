import { join } from 'node:path';
import type { Item } from '../datasets/item.js';
import { PrivacyError } from '../errors.js';
import { writeFileAtomically } from '../util/atomic-write.js';
import type { NetworkEndpoint } from './endpoint-check.js';
import type { EndpointGuard } from './endpoint-guard.js';
import { type PhiScanReport, scanItems, summarisePhiScan } from './phi-scan.js';
import type { PrivacyPolicy } from './policy.js';
import { type RedactionRecord, redactItems } from './redact.js';

/** Files a run's privacy checks leave in its directory (owner-only, like the rest of it). */
export const phiScanFileName = 'phi-scan.json';
export const redactionsFileName = 'phi-redactions.json';

/**
 * Checks every model a run will call (teacher, judge) against its policy before any data is read,
 * and returns the endpoints off this machine that items will be sent to (empty when all are local).
 */
export async function checkRunEndpoints(
  guard: EndpointGuard,
  models: readonly { role: string; spec: string | undefined }[],
): Promise<NetworkEndpoint[]> {
  const remote: NetworkEndpoint[] = [];
  for (const { role, spec } of models) {
    if (spec === undefined) continue;
    const endpoint = await guard.check(spec, role);
    if (endpoint.kind === 'network' && !endpoint.local) remote.push(endpoint);
  }
  return remote;
}

export interface ScreenOptions {
  train: Item[];
  test: Item[];
  policy: PrivacyPolicy;
  /** Where items would go; the scan runs only when this is not empty. */
  remote: readonly NetworkEndpoint[];
  /** The run directory, for phi-scan.json and phi-redactions.json. */
  directory: string;
}

export interface ScreenResult {
  train: Item[];
  test: Item[];
  scan?: PhiScanReport;
  redacted?: RedactionRecord[];
}

/**
 * The run's identifier screen. With `redact`, likely identifiers are first replaced by
 * placeholders (in train and test alike, so one placeholder means one value everywhere) and the
 * redacted items are listed in phi-redactions.json. Then, when items are bound off the machine,
 * they are scanned; findings stop the run unless the policy is acknowledged (`--phi-ok`). The
 * full report goes to phi-scan.json either way.
 */
export async function screenRunItems(options: ScreenOptions): Promise<ScreenResult> {
  let { train, test } = options;
  let redacted: RedactionRecord[] | undefined;
  if (options.policy.redact) {
    const result = redactItems([...train, ...test]);
    train = result.items.slice(0, train.length);
    test = result.items.slice(train.length);
    redacted = result.redacted;
    await writeJson(join(options.directory, redactionsFileName), { redacted });
  }
  if (options.remote.length === 0) return { train, test, ...(redacted ? { redacted } : {}) };
  const scan = scanItems([...train, ...test]);
  const reportPath = join(options.directory, phiScanFileName);
  await writeJson(reportPath, scan);
  if (scan.findings.length > 0 && !options.policy.acknowledged) {
    const hosts = [...new Set(options.remote.map((endpoint) => endpoint.host))].join(', ');
    const first = scan.findings[0]!;
    throw new PrivacyError(
      `${summarisePhiScan(scan)} (first: item ${first.itemId}, ${first.field}, ${first.kind}); ` +
        `the run would send them to ${hosts}. The full list is in ${reportPath}. Review it, then ` +
        'rerun with --phi-ok (or privacy.acknowledged: true) to send them as they are, or with ' +
        '--redact-phi (privacy.redact: true) to replace them with placeholders first.',
    );
  }
  return { train, test, scan, ...(redacted ? { redacted } : {}) };
}

async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFileAtomically(path, `${JSON.stringify(value, null, 1)}\n`);
}
