import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerVqaCommand } from '../../src/cli/commands/vqa.js';
import { ImageLibrary, imageKey } from '../../src/datasets/images/image-library.js';
import type { Item } from '../../src/datasets/item.js';
import { loadDataset } from '../../src/datasets/load-dataset.js';
import { ConfigError } from '../../src/errors.js';
import { wilsonInterval } from '../../src/eval/statistics/wilson-interval.js';
import type { LanguageModel } from '../../src/models/language-model.js';
import { createServerModelFromSpec } from '../../src/models/openai-compatible-model.js';
import { seededDerangement } from '../../src/vision/derangement.js';
import {
  type GroundingResult,
  groundingConditions,
  runGroundingAnalysis,
} from '../../src/vision/grounding.js';
import { VisionImages } from '../../src/vision/images.js';
import { hasSharedData, sharedData } from '../fixtures/datasets/paths.js';
import { type RunningVisionServer, startTinyVisionServer } from '../support/vision-server.js';
import { brightnessTeacher, writeBrightnessDataset } from './brightness-dataset.js';

describe('seeded derangement for the other-image control', () => {
  it('gives no item its own image, repeats per seed and changes with the seed', () => {
    // Several questions share an image, as in VQA-RAD.
    const keys = ['a', 'a', 'a', 'b', 'c', 'c', 'd', 'e', 'e', 'f'];
    const first = seededDerangement(keys, 7);
    expect([...first].sort((x, y) => x - y)).toEqual(keys.map((_, index) => index));
    first.forEach((donor, index) => {
      expect(keys[donor]).not.toBe(keys[index]);
    });
    expect(seededDerangement(keys, 7)).toEqual(first);
    const seeds = [1, 2, 3, 4, 5].map((seed) => seededDerangement(keys, seed).join(','));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it("refuses when no assignment can avoid an item's own image", () => {
    expect(() => seededDerangement(['x', 'x', 'x'], 1)).toThrow(ConfigError);
    expect(() => seededDerangement(['x', 'x', 'x', 'y'], 1)).toThrow(/share one image/);
  });
});

describe('grounding analysis with a model that does look at the image', () => {
  it('finds the real image beats every control, significantly where the gap is large', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'medistill-grounding-bright-'));
    const library = new ImageLibrary();
    try {
      const { items } = await loadDataset(await writeBrightnessDataset(folder, { count: 20 }));
      const result = await runGroundingAnalysis({
        model: brightnessTeacher(),
        items,
        images: new VisionImages(library),
        concurrency: 4,
      });
      const accuracy = Object.fromEntries(
        result.summary.conditions.map((condition) => [condition.condition, condition.accuracy]),
      );
      // Bright scans are "yes": the real image decides; mid-grey reads as not bright (the dark
      // half right); no image gets "maybe", never right.
      expect(accuracy).toMatchObject({ 'real-image': 1, 'blank-image': 0.5, 'no-image': 0 });
      expect(accuracy['other-image']).toBeLessThan(1);
      const noImage = result.summary.comparisons.find((comparison) => comparison.condition === 'no-image')!;
      expect(noImage).toMatchObject({ onlyRealCorrect: 20, onlyControlCorrect: 0, difference: 1 });
      expect(noImage.pValue).toBeCloseTo(2 * 0.5 ** 20, 12);
      const blank = result.summary.comparisons.find((comparison) => comparison.condition === 'blank-image')!;
      expect(blank.pValue).toBeCloseTo(2 * 0.5 ** 10, 12);
      expect(noImage.pValueHolm).toBeLessThan(0.001);
      expect(blank.pValueHolm).toBeLessThan(0.01);
      expect(result.summary.majority).toMatchObject({ accuracy: 0.5 });
    } finally {
      await library.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});

const vqaRad = sharedData('vqa_rad', 'VQA_RAD Dataset Public.json');

describe.skipIf(!hasSharedData('vqa_rad', 'VQA_RAD Dataset Public.json'))(
  'grounding analysis on VQA-RAD test items with the tiny vision model (../shared/data/vqa_rad)',
  () => {
    let server: RunningVisionServer;
    let model: LanguageModel;
    let items: Item[];
    let library: ImageLibrary;
    let result: GroundingResult;
    const limit = 8;

    beforeAll(async () => {
      server = await startTinyVisionServer();
      model = createServerModelFromSpec(`llama-server:${server.baseUrl}#tiny-vlm`);
      const loaded = await loadDataset(vqaRad);
      items = loaded.items.filter((item) => item.split === 'test');
      library = new ImageLibrary();
      result = await runGroundingAnalysis({
        model,
        items,
        images: new VisionImages(library),
        limit,
        maxTokens: 8,
        concurrency: 2,
        seed: 3,
      });
    });
    afterAll(async () => {
      await library?.close();
      await server?.stop();
    });

    it('asks every item under all four conditions and counts what it got', () => {
      const { summary } = result;
      expect(summary.n).toBe(limit);
      expect(result.items).toHaveLength(limit);
      // Open-ended test items come first in the file and are left out, not counted as wrong.
      const scanned = items.slice(0, items.findIndex((item) => item.id === result.items.at(-1)!.id) + 1);
      expect(result.excluded.openEnded).toBe(scanned.filter((item) => item.kind === 'open-ended').length);
      expect(summary.conditions.map((condition) => condition.condition)).toEqual([...groundingConditions]);
      for (const condition of summary.conditions) {
        const outcomes = result.items.map((item) => item.outcomes[condition.condition]);
        const correct = outcomes.filter((outcome) => outcome.correct).length;
        expect(condition).toMatchObject({ n: limit, correct, failed: 0 });
        expect(condition.accuracy).toBeCloseTo(correct / limit, 12);
        expect(condition.ci95).toEqual(wilsonInterval(correct, limit));
        for (const [index, outcome] of outcomes.entries()) {
          const reference = result.items[index]!.reference;
          expect(outcome.correct).toBe(outcome.prediction === reference);
        }
      }
    });

    it('sends the image only where it should: no-image prompts are 16 tokens shorter', () => {
      for (const item of result.items) {
        const tokens = Object.fromEntries(
          groundingConditions.map((condition) => [condition, item.outcomes[condition].promptTokens]),
        );
        expect(tokens['real-image']! - tokens['no-image']!).toBe(server.projector.imageTokens);
        expect(tokens['blank-image']).toBe(tokens['real-image']);
        expect(tokens['other-image']).toBe(tokens['real-image']);
      }
      const mean = Object.fromEntries(
        result.summary.conditions.map((condition) => [condition.condition, condition.meanPromptTokens]),
      );
      expect(mean['real-image']! - mean['no-image']!).toBe(16);
    });

    it("shows each item another item's different image, and the pixels change the replies", () => {
      const byId = new Map(items.map((item) => [item.id, item]));
      for (const item of result.items) {
        expect(item.otherImageItemId).not.toBe(item.id);
        const own = byId.get(item.id)!.images!.map(imageKey);
        const other = byId.get(item.otherImageItemId)!.images!.map(imageKey);
        expect(other).not.toEqual(own);
      }
      const differs = result.items.some(
        (item) =>
          item.outcomes['real-image'].rawOutput !== item.outcomes['blank-image'].rawOutput ||
          item.outcomes['real-image'].rawOutput !== item.outcomes['no-image'].rawOutput,
      );
      expect(differs).toBe(true);
    });

    it('tests the real image against each control, Holm-adjusted, above the floors', () => {
      const { comparisons, majority, positionPrior } = result.summary;
      expect(comparisons.map((comparison) => comparison.condition)).toEqual([
        'blank-image',
        'other-image',
        'no-image',
      ]);
      for (const comparison of comparisons) {
        const onlyReal = result.items.filter(
          (item) => item.outcomes['real-image'].correct && !item.outcomes[comparison.condition].correct,
        ).length;
        expect(comparison.onlyRealCorrect).toBe(onlyReal);
        expect(comparison.pValueHolm).toBeGreaterThanOrEqual(comparison.pValue);
        expect(comparison.pValueHolm).toBeLessThanOrEqual(1);
      }
      // VQA-RAD closed questions are yes/no: no option positions, but a majority floor.
      expect(positionPrior).toBeNull();
      const yes = result.items.filter((item) => item.reference === 'yes').length;
      expect(majority?.accuracy).toBeCloseTo(Math.max(yes, limit - yes) / limit, 12);
    });

    it('runs from the CLI: JSON, table, grounding.json and an SVG figure', async () => {
      const out = await mkdtemp(join(tmpdir(), 'medistill-grounding-'));
      try {
        const common = [
          '--model',
          `llama-server:${server.baseUrl}#tiny-vlm`,
          '--data',
          vqaRad,
          '--split',
          'test',
        ];
        const json = JSON.parse(
          await runVqa([...common, '--limit', '4', '--max-tokens', '6', '--out', out, '--json']),
        );
        expect(json.n).toBe(4);
        expect(json.model).toBe(`openai-compatible:${server.baseUrl}#tiny-vlm`);
        expect(json.conditions.map((condition: { n: number }) => condition.n)).toEqual([4, 4, 4, 4]);
        expect(json.comparisons).toHaveLength(3);
        expect(json.out).toBe(out);
        const written = JSON.parse(await readFile(join(out, 'grounding.json'), 'utf8')) as GroundingResult;
        expect(written.items).toHaveLength(4);
        expect(written.items[0]?.outcomes['real-image'].rawOutput).toEqual(expect.any(String));
        const svg = await readFile(join(out, 'grounding.svg'), 'utf8');
        expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
        expect(svg).toContain('ci95_errorbars');
        expect(svg).toContain('no image');

        const table = await runVqa([...common, '--limit', '3', '--max-tokens', '4']);
        for (const label of [
          'real image',
          'blank image (mid-grey)',
          "another item's image",
          'no image',
          'Holm p',
          'majority (',
        ]) {
          expect(table).toContain(label);
        }
        expect(table).toMatch(/real image\s+\d+\.\d%\s+\[\d+\.\d, \d+\.\d\]\s+\d\/3/);
      } finally {
        await rm(out, { recursive: true, force: true });
      }
    });
  },
);

async function runVqa(args: string[]): Promise<string> {
  const program = new Command('medistill').exitOverride();
  registerVqaCommand(program, async (spec) => createServerModelFromSpec(spec));
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'medistill', 'vqa', 'grounding', ...args]);
  } finally {
    spy.mockRestore();
  }
  return written.join('');
}

// Keep the existence check visible in the test output when the data is absent.
if (!existsSync(vqaRad)) console.warn(`skipping the VQA-RAD grounding tests: ${vqaRad} is absent`);
