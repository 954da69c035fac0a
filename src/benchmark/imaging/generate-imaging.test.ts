import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { buildImagingBenchmark } from './generate-imaging.js';
import { readScene, SceneTeacher } from './scene-teacher.js';
import { writeImagingImages } from './write-imaging.js';

const build = (seed = 1) => buildImagingBenchmark({ seed, imageDirectory: '/images' });

describe('imaging benchmark', () => {
  it('is the same for the same seed and different for another', () => {
    const first = build(1);
    const again = build(1);
    expect(again.train).toEqual(first.train);
    expect([...again.images.values()][0]!.pixels).toEqual([...first.images.values()][0]!.pixels);
    expect(build(2).train.map((item) => item.answerKey)).not.toEqual(
      first.train.map((item) => item.answerKey),
    );
  });

  it('holds side/size combinations out of training, per condition', () => {
    const benchmark = build();
    const combination = (id: string) => {
      const truth = benchmark.truth.get(id)!;
      return `${truth.conditionId}:${truth.finding.side}/${truth.finding.size}`;
    };
    const trainCombinations = new Set(benchmark.train.map((item) => combination(item.id)));
    expect(benchmark.test.length).toBe(8 * 6);
    for (const item of benchmark.test) expect(trainCombinations.has(combination(item.id))).toBe(false);
    expect(new Set(benchmark.test.map((item) => benchmark.truth.get(item.id)!.conditionId)).size).toBe(8);
  });

  it('plants label errors in training only, on a look-alike management', () => {
    const benchmark = build();
    expect(benchmark.mislabeledIds.size).toBe(Math.round(benchmark.train.length * 0.08));
    for (const item of benchmark.train) {
      const truth = benchmark.truth.get(item.id)!;
      expect(item.answerKey === truth.correctKey).toBe(!benchmark.mislabeledIds.has(item.id));
    }
    for (const item of benchmark.test) expect(item.answerKey).toBe(benchmark.truth.get(item.id)!.correctKey);
  });

  it('puts the finding in the pixels, not in the question text', () => {
    const benchmark = build();
    const questions = new Set([...benchmark.train, ...benchmark.test].map((item) => item.question));
    expect(questions.size).toBeLessThanOrEqual(3);
    for (const question of questions) expect(question).not.toMatch(/wedge|round|ring|lucent|dense/);
    // Films of different conditions differ; the same condition drawn twice differs too (jitter, noise).
    const [a, b] = benchmark.train;
    expect(benchmark.images.get(a!.id)!.pixels).not.toEqual(benchmark.images.get(b!.id)!.pixels);
  });

  it('writes 32 px grayscale PNGs the items point to', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'imaging-'));
    try {
      const benchmark = buildImagingBenchmark({
        imageDirectory: directory,
        trainStudiesPerCombination: 1,
        testStudiesPerCombination: 1,
      });
      await writeImagingImages(benchmark);
      const path = (benchmark.test[0]!.images![0] as { path: string }).path;
      const metadata = await sharp(await readFile(path)).metadata();
      expect([metadata.format, metadata.width, metadata.height, metadata.channels]).toEqual([
        'png',
        32,
        32,
        1,
      ]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses an unknown option, naming it', () => {
    expect(() => buildImagingBenchmark({ imageDirectory: '/x', conditionCount: 99 })).toThrow(
      /conditionCount/,
    );
    expect(() => buildImagingBenchmark({ imageDirectory: '/x', ...({ colour: true } as object) })).toThrow(
      /colour|Unrecognized/,
    );
  });
});

describe('scene-grounded teacher', () => {
  it('reads the description back into the finding', () => {
    expect(
      readScene('Frontal chest film. There is a large dense wedge-shaped opacity in the left lower zone .'),
    ).toEqual({
      signature: { shape: 'wedge', density: 'dense', zone: 'lower', count: 'single' },
      side: 'left',
    });
    expect(readScene('A photograph of a cat.')).toBeUndefined();
  });

  it('answers from the description, so it disagrees with exactly the planted label errors', () => {
    const benchmark = build();
    const teacher = new SceneTeacher(benchmark.knowledgeBase);
    for (const item of [...benchmark.train, ...benchmark.test]) {
      expect(teacher.answer(item)).toBe(benchmark.truth.get(item.id)!.correctKey);
    }
    // Without its description the teacher cannot answer: it never reads the label.
    const { caption: _caption, ...blind } = benchmark.test[0]!;
    expect(teacher.answer(blind)).toBeUndefined();
  });

  it('writes finding, condition, management; numbered samples slip at about the slip rate, reproducibly', () => {
    const benchmark = build();
    const teacher = new SceneTeacher(benchmark.knowledgeBase);
    const item = benchmark.train[0]!;
    const chain = teacher.rationale(item)!;
    const condition = benchmark.knowledgeBase.condition(benchmark.truth.get(item.id)!.conditionId);
    expect(chain.rationale).toContain(`Condition : ${condition.name} .`);
    expect(chain.rationale).toContain(condition.management);
    const samples = benchmark.train.flatMap((entry) =>
      [0, 1, 2].map((sample) => ({
        entry,
        ...teacher.rationale(entry, { seed: 1, sample, slipRate: 0.2 })!,
      })),
    );
    const slipped = samples.filter((sample) => sample.slipped);
    expect(slipped.length / samples.length).toBeGreaterThan(0.12);
    expect(slipped.length / samples.length).toBeLessThan(0.28);
    for (const sample of slipped)
      expect(sample.key).not.toBe(benchmark.truth.get(sample.entry.id)!.correctKey);
    expect(teacher.rationale(item, { seed: 1, sample: 3 })).toEqual(
      teacher.rationale(item, { seed: 1, sample: 3 }),
    );
  });
});
