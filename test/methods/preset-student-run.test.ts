import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { makePresetModel, runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';

/** A run whose student is a real family's GGUF (a preset stands in for a downloaded SmolLM2). */
describe('medistill run with a preset student', () => {
  const config = (student: string, training: Record<string, number>) => ({
    teacher: 'knowledge-base',
    student: { model: student, training: { epochs: 1, batchSize: 8, ...training }, maxAnswerTokens: 16 },
    data: {
      train: { benchmark: { seed: 1, conditionCount: 4, trainVignettesPerPair: 1, testVignettesPerPair: 1 } },
    },
    strategies: ['answer-only'],
    concurrency: 4,
  });

  it('trains and evaluates a SmolLM2-shaped student, Q8_0, with its own tokenizer and template', async () => {
    const dir = await temporaryDirectory();
    const student = join(dir, 'smollm2.gguf');
    const made = await makePresetModel(student);
    expect(made.code).toBe(0);
    const path = join(dir, 'run.yaml');
    await writeFile(path, stringify(config(student, { learningRate: 3e-4 })));
    const out = join(dir, 'out');
    const result = await runMedistill(['run', path, '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      strategies: { strategy: string; n: number; seeds: { loglik?: { total: number } }[] }[];
    };
    const [answerOnly] = summary.strategies;
    expect(answerOnly!.strategy).toBe('answer-only');
    expect(answerOnly!.n).toBeGreaterThan(0);
    expect(answerOnly!.seeds[0]!.loglik!.total).toBe(answerOnly!.n);
    expect(existsSync(join(out, 'answer-only', 'seed-1', 'student.gguf'))).toBe(true);
  });
});
