import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RealStudentBenchResult } from '../../src/demo/real-student/run-real-student-bench.js';
import type { StudentPrediction } from '../../src/methods/stages/student-answers.js';
import { runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';
import { publishedModelForTests } from '../support/published-model.js';

const model = await publishedModelForTests('smollm2-135m-instruct');

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** Where each arm's evaluation of seed 1 is kept in the run directory. */
const evaluationFile: Record<string, string> = {
  'zero-shot': join('zero-shot', 'seed-1', 'base.evaluate.json'),
  'answer-only': join('answer-only', 'seed-1', 'student.evaluate.json'),
  'MedThink stage 1': join('medthink', 'seed-1', 'stage1.evaluate.json'),
  'MedThink stage 2': join('medthink', 'seed-1', 'stage2.evaluate.json'),
};

describe.skipIf(model === undefined)('medistill bench real-student --quick on SmolLM2-135M-Instruct', () => {
  it('trains LoRA adapters on the Q4_1 base and tabulates the four arms from real evaluations', async () => {
    const before = await sha256(model!);
    const out = await temporaryDirectory('bench-real-student-');
    const run = await runMedistill(['bench', 'real-student', '--quick', '--out', out, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as RealStudentBenchResult;
    expect(result.model).toBe(model);
    expect(result.arms.map((arm) => arm.arm)).toEqual([
      'zero-shot',
      'answer-only',
      'MedThink stage 1',
      'MedThink stage 2',
    ]);
    for (const arm of result.arms) {
      const [seed] = arm.seeds;
      expect(arm.seeds).toHaveLength(1);
      expect(seed!.total).toBe(result.testItems);
      // The numbers are the recorded evaluation's: every test item answered by the model itself.
      const predictions = JSON.parse(
        await readFile(join(out, evaluationFile[arm.arm]!), 'utf8'),
      ) as StudentPrediction[];
      expect(predictions).toHaveLength(result.testItems);
      expect(predictions.every((prediction) => prediction.reply.trim().length > 0 && !prediction.error)).toBe(
        true,
      );
      expect(seed!.correct).toBe(predictions.filter((prediction) => prediction.correct === true).length);
      expect(arm.accuracy).toBeCloseTo(seed!.correct / seed!.total, 10);
      expect(arm.ci95[0]).toBeLessThanOrEqual(arm.accuracy);
      expect(arm.ci95[1]).toBeGreaterThanOrEqual(arm.accuracy);
      expect(seed!.loglikAccuracy).toBeGreaterThanOrEqual(0);
      expect(arm.meanWallMs).toBeGreaterThan(0);
      if (arm.arm === 'answer-only') expect(arm.versusAnswerOnly).toBeUndefined();
      else expect(arm.versusAnswerOnly!.units).toBe(result.testItems);
    }
    // LoRA on the base as it is: adapters per stage, the base file untouched.
    for (const stage of ['stage1', 'stage2'])
      expect(existsSync(join(out, 'medthink', 'seed-1', `${stage}.lora.gguf`)), stage).toBe(true);
    expect(existsSync(join(out, 'answer-only', 'seed-1', 'student.lora.gguf'))).toBe(true);
    expect(await sha256(model!)).toBe(before);
    const markdown = await readFile(result.files.markdown, 'utf8');
    expect(markdown).toContain('| arm | per seed | mean [95% CI] |');
    expect(markdown.match(/^\| (zero-shot|answer-only|MedThink stage [12]) \|/gm)).toHaveLength(4);
  }, 900_000);
});
