import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';

/** `medistill run` refuses a config that cannot work with one clear message, before any work starts. */
describe('medistill run: bad configs', () => {
  const base = {
    teacher: 'knowledge-base',
    student: { model: 'new', training: { epochs: 1 } },
    data: { train: { benchmark: { seed: 1, conditionCount: 4 } } },
    strategies: ['medthink'],
  };

  async function run(config: unknown) {
    const dir = await temporaryDirectory();
    const path = join(dir, 'run.yaml');
    await writeFile(path, stringify(config));
    const out = join(dir, 'out');
    return { ...(await runMedistill(['run', path, '--out', out])), out, path };
  }

  it('names an unknown strategy and the known ones, and trains nothing', async () => {
    const result = await run({ ...base, strategies: ['medthink', 'distil-magic'] });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown strategy "distil-magic" \(known: zero-shot, gold-label/);
    expect(existsSync(join(result.out, 'student-base.gguf'))).toBe(false);
  });

  it('names the config file and field of an invalid value', async () => {
    const result = await run({ ...base, seeds: 'three' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/run\.yaml: seeds: /);
  });

  it('names a missing dataset', async () => {
    const result = await run({ ...base, data: { train: '/nowhere/train.jsonl' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/dataset not found: \/nowhere\/train\.jsonl/);
  });

  it('says a student file is not a model', async () => {
    const dir = await temporaryDirectory();
    const notModel = join(dir, 'student.gguf');
    await writeFile(notModel, 'definitely not a model, just text in a file');
    const result = await run({ ...base, student: { model: notModel } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/student\.gguf: not a GGUF file/);
  });

  it('says a teacher cannot be reached, in one line, without a stack trace', async () => {
    const result = await run({ ...base, teacher: 'openai-compatible:http://127.0.0.1:9/v1#teacher' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/127\.0\.0\.1:9/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
