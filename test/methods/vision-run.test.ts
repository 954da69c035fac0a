import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runMedistill } from '../support/cli.js';
import { type RunningLlamaServer, startTinyLlamaServer } from '../support/llama-server.js';
import { temporaryDirectory } from '../support/paths.js';
import { type RunningVisionServer, startTinyVisionServer } from '../support/vision-server.js';

/** A small imaging-benchmark run config: 8 conditions x 3 combinations x 1 film to train on, 8 to test. */
function imagingConfig(overrides: Record<string, unknown>) {
  return {
    name: 'vision-run',
    teacher: 'knowledge-base',
    student: {
      model: 'new',
      projector: 'new',
      training: { epochs: 1, batchSize: 4, validationSplit: 0 },
      maxAnswerTokens: 16,
    },
    data: { train: { imagingBenchmark: { trainStudiesPerCombination: 1, testStudiesPerCombination: 1 } } },
    strategies: ['zero-shot'],
    concurrency: 2,
    ...overrides,
  };
}

async function run(config: Record<string, unknown>) {
  const dir = await temporaryDirectory();
  const configPath = join(dir, 'run.yaml');
  await writeFile(configPath, stringify(config));
  const out = join(dir, 'run');
  return { out, result: await runMedistill(['run', configPath, '--out', out, '--json']) };
}

describe('medistill run over image data: refused before any work', () => {
  it('refuses a text-only student with image data, naming student.projector', async () => {
    const { out, result } = await run(imagingConfig({ student: { model: 'new', training: { epochs: 1 } } }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /run\.yaml: student\.projector: the training data has images \(24 of 24 items\)/,
    );
    expect(existsSync(join(out, 'student-base.gguf'))).toBe(false);
  });

  it('refuses a vision strategy over data without images, naming strategies', async () => {
    const { result } = await run({
      name: 'text',
      teacher: 'knowledge-base',
      student: { model: 'new' },
      data: { train: { benchmark: { conditionCount: 4 } } },
      strategies: ['cot-vl'],
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/strategies: cot-vl need image data/);
  });

  it('refuses a LoRA vision student, naming student.training.loraRank', async () => {
    const config = imagingConfig({});
    const student = config.student as Record<string, unknown>;
    const { out, result } = await run({
      ...config,
      student: { ...student, training: { epochs: 1, loraRank: 4 } },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /run\.yaml: student\.training\.loraRank: vision runs train the full student/,
    );
    expect(existsSync(join(out, 'student-base.gguf'))).toBe(false);
  });
});

describe('medistill run over image data with servers', () => {
  let textOnly: RunningLlamaServer;
  let vision: RunningVisionServer;
  beforeAll(async () => {
    [textOnly, vision] = await Promise.all([startTinyLlamaServer({ parallel: 1 }), startTinyVisionServer()]);
  });
  afterAll(async () => {
    await Promise.all([textOnly?.stop(), vision?.stop()]);
  });

  it('detects a teacher that cannot take images with one request at the start', async () => {
    const before = await textOnly.metrics();
    const { result } = await run(imagingConfig({ teacher: `llama-server:${textOnly.baseUrl}#tiny` }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/teacher: llama-server:.* cannot take images/);
    const after = await textOnly.metrics();
    // Nothing was generated: the request was refused, and no other request followed.
    expect(after.tokens_predicted_total ?? 0).toBe(before.tokens_predicted_total ?? 0);
  });

  it('evaluates a new vision student zero-shot, each test film sent to it through llama-server --mmproj', async () => {
    const { out, result } = await run(imagingConfig({ teacher: `llama-server:${vision.baseUrl}#tiny` }));
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      strategies: { strategy: string; n: number; error?: string }[];
    };
    expect(printed.strategies).toEqual([expect.objectContaining({ strategy: 'zero-shot', n: 8 })]);
    expect(existsSync(join(out, 'student-base.mmproj.gguf'))).toBe(true);
    const report = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as {
      report: { strategies: { outcomes: { itemId: string; error?: string }[] }[] };
    };
    const outcomes = report.report.strategies[0]!.outcomes;
    expect(outcomes).toHaveLength(8);
    expect(outcomes.filter((outcome) => outcome.error)).toEqual([]);
  });
});
