import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runMedistill } from '../support/cli.js';
import { hasTrainingPackages, makeTinyHfModels, testPython } from '../support/hf-python.js';
import { temporaryDirectory } from '../support/paths.js';

/**
 * `medistill run` end to end with a Hugging Face student: the transformers worker trains it, the
 * gguf route converts it and llama.cpp evaluates it, and the report says so.
 */
describe.skipIf(!hasTrainingPackages())(
  `medistill run with student.engine transformers (needs torch, transformers, peft in ${testPython}; skips without)`,
  () => {
    let directory = '';
    beforeAll(async () => {
      directory = await temporaryDirectory('medistill-transformers-run-');
      makeTinyHfModels(join(directory, 'models'), '--text');
    }, 180_000);

    /** `medistill run` of the tiny Qwen2 student on the transformers engine, evaluated through the gguf route. */
    async function runHfStudent(name: string, strategies: string[], training: Record<string, number>) {
      const config = {
        name,
        teacher: 'knowledge-base',
        student: {
          model: join(directory, 'models/qwen2-tiny'),
          engine: 'transformers',
          engineSettings: { python: [testPython], precision: 'fp32' },
          evaluation: { route: 'gguf', ggufType: 'f32' },
          training: { epochs: 1, batchSize: 8, learningRate: 1e-3, ...training },
          maxAnswerTokens: 8,
        },
        data: { train: { benchmark: { seed: 1, conditionCount: 4 } }, limitTrain: 16, limitTest: 4 },
        strategies,
        concurrency: 2,
        parallelStrategies: 1,
      };
      const path = join(directory, `${name}.yaml`);
      await writeFile(path, stringify(config));
      const out = join(directory, name);
      return { out, result: await runMedistill(['run', path, '--out', out]) };
    }

    it('trains the student through the worker and evaluates it converted to GGUF', async () => {
      const { out, result } = await runHfStudent('hf-student', ['answer-only'], {});
      expect(result.stderr).not.toMatch(/Error/);
      expect(result.code).toBe(0);
      // The base student and the trained one, converted once each.
      expect(existsSync(join(out, 'gguf/student-base.f32.gguf'))).toBe(true);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      expect(results.report.description).toMatch(
        /trained by the transformers engine, evaluated converted to GGUF, in llama\.cpp \(route gguf\)/,
      );
      expect(results.config.student.evaluation.route).toBe('gguf');
    }, 900_000);

    it('runs MedThink with LoRA: stage 2 continues stage 1 adapter, each evaluated converted to GGUF', async () => {
      const { out, result } = await runHfStudent('hf-lora-medthink', ['medthink'], {
        loraRank: 4,
        loraAlpha: 8,
      });
      expect(result.stderr).not.toMatch(/Error/);
      expect(result.code).toBe(0);
      const seed = join(out, 'medthink/seed-1');
      // Adapters (peft folders), not models; stage 2's job started from stage 1's adapter.
      expect(existsSync(join(seed, 'stage1.lora.gguf/adapter_config.json'))).toBe(true);
      const stage2Job = JSON.parse(readFileSync(join(seed, 'checkpoints/stage2/medistill/job.json'), 'utf8'));
      expect(stage2Job.initialAdapter).toBe(join(seed, 'stage1.lora.gguf'));
      // Both stages evaluated: their adapters, converted to GGUF LoRA, ran on the converted base.
      expect(existsSync(join(seed, 'stage1.evaluate.json'))).toBe(true);
      expect(existsSync(join(seed, 'stage2.evaluate.json'))).toBe(true);
      const converted = readdirSync(join(out, 'gguf')).filter((name) => name.endsWith('.lora.gguf'));
      expect(converted).toHaveLength(2);
    }, 900_000);
  },
);
