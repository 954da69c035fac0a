import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../test/support/paths.js';
import type { Item } from '../datasets/item.js';
import { PrivacyError } from '../errors.js';
import type { NetworkEndpoint } from './endpoint-check.js';
import { EndpointGuard } from './endpoint-guard.js';
import { privacyPolicySchema } from './policy.js';
import { checkRunEndpoints, phiScanFileName, redactionsFileName, screenRunItems } from './run-privacy.js';

const note: Item = {
  kind: 'open-ended',
  id: 'n1',
  question: 'Patient: Maria Lopez, seen 03/14/2021. What is the next step?',
  referenceAnswer: 'ERCP',
};
const clean: Item = {
  kind: 'open-ended',
  id: 'n2',
  question: 'What treats Wilson disease?',
  referenceAnswer: 'x',
};

/**
 * An allowed endpoint treated as off the machine. Tests resolve names only to loopback, so the
 * endpoint is checked for real and then marked remote, as a hosted teacher's would be.
 */
async function remoteEndpoints(): Promise<NetworkEndpoint[]> {
  const policy = privacyPolicySchema.parse({ mode: 'allow-list', allow: ['teacher.test'] });
  const guard = new EndpointGuard(policy, { lookup: async () => [{ address: '127.0.0.5', family: 4 }] });
  const spec = 'vllm:http://teacher.test/v1#m';
  expect(await checkRunEndpoints(guard, [{ role: 'teacher', spec }])).toEqual([]);
  const endpoint = await guard.check(spec);
  if (endpoint.kind !== 'network') throw new Error('expected a network endpoint');
  return [{ ...endpoint, local: false }];
}

describe('screenRunItems', () => {
  it('does not scan when nothing leaves the machine', async () => {
    const directory = await temporaryDirectory();
    const policy = privacyPolicySchema.parse({});
    const result = await screenRunItems({ train: [note], test: [], policy, remote: [], directory });
    expect(result.scan).toBeUndefined();
    expect(result.train).toEqual([note]);
  });

  it('stops a run bound off the machine until the findings are acknowledged, and writes the report', async () => {
    const directory = await temporaryDirectory();
    const remote = await remoteEndpoints();
    const policy = privacyPolicySchema.parse({ mode: 'allow-list', allow: ['teacher.test'] });
    const stopped = screenRunItems({ train: [note, clean], test: [], policy, remote, directory });
    await expect(stopped).rejects.toBeInstanceOf(PrivacyError);
    await expect(stopped).rejects.toThrow(
      /1 of 2 items hold likely identifiers: 1 name, 1 date .*teacher\.test.*--phi-ok/,
    );
    const written = JSON.parse(await readFile(join(directory, phiScanFileName), 'utf8')) as {
      findings: unknown[];
    };
    expect(written.findings).toHaveLength(2);
    if (process.platform !== 'win32')
      expect((await stat(join(directory, phiScanFileName))).mode & 0o077).toBe(0);

    const acknowledged = await screenRunItems({
      train: [note, clean],
      test: [],
      policy: { ...policy, acknowledged: true },
      remote,
      directory,
    });
    expect(acknowledged.scan?.itemsFlagged).toBe(1);
  });

  it('redacts before the scan, so the run goes on and the redacted items are listed', async () => {
    const directory = await temporaryDirectory();
    const policy = privacyPolicySchema.parse({ mode: 'allow-list', allow: ['teacher.test'], redact: true });
    const result = await screenRunItems({
      train: [note],
      test: [clean],
      policy,
      remote: await remoteEndpoints(),
      directory,
    });
    expect(result.train[0]?.question).toBe('Patient: [NAME-1], seen [DATE-1]. What is the next step?');
    expect(result.test).toEqual([clean]);
    expect(result.scan?.findings).toEqual([]);
    const listed = JSON.parse(await readFile(join(directory, redactionsFileName), 'utf8'));
    expect(listed).toEqual({ redacted: [{ itemId: 'n1', byKind: { name: 1, date: 1 } }] });
  });
});
