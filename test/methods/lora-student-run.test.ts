import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildBenchmark } from '../../src/benchmark/index.js';
import { itemPromptText } from '../../src/datasets/item-prompt.js';
import { LlamaCppRuntime } from '../../src/engines/llama-cpp/llama-cpp-runtime.js';
import { readLoraAdapter } from '../../src/engines/tfjs/lora-adapter-file.js';
import type { StudentPrediction } from '../../src/methods/stages/student-answers.js';
import { makePresetModel, runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** Root-mean-square of the difference of two adapters' B factors, and of the first's B alone. */
async function bDistance(first: string, second: string): Promise<{ difference: number; norm: number }> {
  const [a, b] = await Promise.all([readLoraAdapter(first), readLoraAdapter(second)]);
  let difference = 0;
  let norm = 0;
  for (const [name, tensor] of a.tensors) {
    if (!name.endsWith('.lora_b')) continue;
    const other = b.tensors.get(name)!.data;
    tensor.data.forEach((value, index) => {
      difference += (value - other[index]!) ** 2;
      norm += value ** 2;
    });
  }
  return { difference: Math.sqrt(difference), norm: Math.sqrt(norm) };
}

const benchmark = { seed: 1, conditionCount: 4, trainVignettesPerPair: 1, testVignettesPerPair: 1 };

/**
 * A MedThink run whose student is LoRA on a quantized SmolLM2-shaped base (one block, Q8_0): the
 * base stays byte-identical, stage 2 continues stage 1's adapter, evaluation runs base + adapter in
 * llama.cpp, and the deploy stage merges the adapter before quantizing.
 */
describe('medistill run with a LoRA student', () => {
  it('trains adapters, continues stage 1 in stage 2, evaluates with the adapter, merges for export', async () => {
    const dir = await temporaryDirectory();
    const student = join(dir, 'smollm2.gguf');
    expect((await makePresetModel(student)).code).toBe(0);
    const baseDigest = await sha256(student);
    const path = join(dir, 'run.yaml');
    await writeFile(
      path,
      stringify({
        teacher: 'knowledge-base',
        student: {
          model: student,
          training: { epochs: 2, batchSize: 8, learningRate: 3e-3, loraRank: 4 },
          // A small step: continued from stage 1, stage 2's B factors stay near stage 1's; a fresh
          // adapter would start B at zero and end near zero.
          stage2Training: { epochs: 1, batchSize: 8, learningRate: 1e-4, warmupRatio: 0, loraRank: 4 },
          maxAnswerTokens: 16,
        },
        data: { train: { benchmark } },
        strategies: ['medthink'],
        deploy: { types: ['q8_0'] },
        concurrency: 4,
      }),
    );
    const out = join(dir, 'out');
    const result = await runMedistill(['run', path, '--out', out, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const seed = join(out, 'medthink', 'seed-1');

    // Adapters only; the quantized base is untouched.
    expect(await sha256(student)).toBe(baseDigest);
    for (const stage of ['stage1', 'stage2']) {
      expect(existsSync(join(seed, `${stage}.lora.gguf`)), stage).toBe(true);
      expect(existsSync(join(seed, `${stage}.gguf`)), stage).toBe(false);
    }
    const stage2Train = JSON.parse(await readFile(join(seed, 'stage2.train.json'), 'utf8'));
    expect(stage2Train).toMatchObject({ modelPath: student, adapterPath: join(seed, 'stage2.lora.gguf') });

    // Stage 2 started from stage 1's adapter, by content.
    const moved = await bDistance(join(seed, 'stage1.lora.gguf'), join(seed, 'stage2.lora.gguf'));
    expect(moved.norm).toBeGreaterThan(0);
    expect(moved.difference).toBeGreaterThan(0);
    expect(moved.difference).toBeLessThan(0.25 * moved.norm);

    // Evaluation ran the base with the adapter: llama.cpp reproduces the recorded replies with the
    // adapter applied, and the base alone answers differently.
    const recorded = JSON.parse(
      await readFile(join(seed, 'stage1.evaluate.json'), 'utf8'),
    ) as StudentPrediction[];
    const test = buildBenchmark(benchmark).test.slice(0, 6);
    const runtime = new LlamaCppRuntime();
    const replies = async (adapter?: string) => {
      const model = await runtime.loadModel(student, adapter ? { loraAdapters: [{ path: adapter }] } : {});
      try {
        const texts: string[] = [];
        for (const item of test) {
          const response = await model.generate({
            messages: [{ role: 'user', content: itemPromptText(item) }],
            maxTokens: 16,
            temperature: 0,
          });
          texts.push(response.choices[0]!.text);
        }
        return texts;
      } finally {
        await model.close();
      }
    };
    const withAdapter = await replies(join(seed, 'stage1.lora.gguf'));
    expect(withAdapter).toEqual(test.map((item) => recorded.find((p) => p.itemId === item.id)!.reply));
    expect(await replies()).not.toEqual(withAdapter);

    // The deploy stage merged the final adapter into the (dequantized) base, then quantized it.
    const merged = join(out, 'deploy', 'student.merged.gguf');
    expect(existsSync(merged)).toBe(true);
    expect(existsSync(join(out, 'deploy', 'student.q8_0.gguf'))).toBe(true);
    const deploy = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')).deploy as {
      reference: string;
      rows: { label: string; weightType: string }[];
    };
    expect(deploy.reference).toBe('student.merged.gguf');
    expect(deploy.rows.map((row) => row.label)).toEqual(['student.merged.gguf', 'student.q8_0.gguf']);

    // A rerun finds every stage done: nothing is retrained.
    const trainedAt = (await stat(join(seed, 'stage2.lora.gguf'))).mtimeMs;
    const rerun = await runMedistill(['run', path, '--out', out, '--json']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect((await stat(join(seed, 'stage2.lora.gguf'))).mtimeMs).toBe(trainedAt);
    expect(JSON.parse(rerun.stdout).strategies).toEqual(JSON.parse(result.stdout).strategies);
  }, 300_000);

  it('refuses a stage 2 that cannot continue stage 1 adapter, naming the field', async () => {
    const dir = await temporaryDirectory();
    const path = join(dir, 'run.yaml');
    await writeFile(
      path,
      stringify({
        teacher: 'knowledge-base',
        student: { model: 'new', training: { loraRank: 4 }, stage2Training: { loraRank: 8 } },
        data: { train: { benchmark } },
        strategies: ['medthink'],
      }),
    );
    const result = await runMedistill(['run', path, '--out', join(dir, 'out')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/run\.yaml: student\.stage2Training\.loraRank: .*same loraRank \(4\)/);
  });
});
