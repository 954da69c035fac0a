import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/paths.js';

/** Packages that are slow to import or load native code: none may load when an entry is imported. */
const engines = ['node-llama-cpp', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'sharp', 'vega'];

/** Import one entry in a fresh process; return the packages it imported and the native files it mapped. */
function importEntry(entry: string): { packages: string[]; nativeFiles: string[] } {
  const record = join(mkdtempSync(join(tmpdir(), 'medistill-imports-')), 'imports.txt');
  const script = `await import(${JSON.stringify(join(repoRoot, entry))});
const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
console.log(JSON.stringify([...new Set(maps.split('\\n').map((line) => line.split(/\\s+/)[5] ?? '')
  .filter((path) => path.includes('node_modules') && /\\.(node|so[.\\d]*)$/.test(path)))]));`;
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      join(repoRoot, 'test/support/record-imports.mjs'),
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: repoRoot, env: { ...process.env, MEDISTILL_RECORD_IMPORTS: record }, encoding: 'utf8' },
  );
  if (child.status !== 0) throw new Error(`importing ${entry} failed: ${child.stderr}`);
  // No file means the entry imported no package at all.
  const packages = (existsSync(record) ? readFileSync(record, 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((specifier) =>
      (specifier.startsWith('@') ? specifier.split('/').slice(0, 2) : specifier.split('/').slice(0, 1)).join(
        '/',
      ),
    );
  return { packages: [...new Set(packages)], nativeFiles: JSON.parse(child.stdout) as string[] };
}

describe('entry points', () => {
  it.each([
    'src/index.ts',
    'src/convert/index.ts',
    'src/eval/index.ts',
    'src/datasets/index.ts',
    'src/models/index.ts',
    'src/engines/llama-cpp/index.ts',
    'src/engines/tfjs/index.ts',
  ])('%s loads no engine and no native code on import', (entry) => {
    const { packages, nativeFiles } = importEntry(entry);
    expect(nativeFiles).toEqual([]);
    expect(packages.filter((name) => engines.includes(name))).toEqual([]);
  });

  it('sees an engine when one is imported', () => {
    const { packages } = importEntry('src/engines/llama-cpp/gguf-language-model.ts');
    expect(packages).toContain('node-llama-cpp');
  });
});
