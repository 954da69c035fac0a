import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runVisionDemo } from '../../src/demo/run-vision-demo.js';
import { visionDemoSettings } from '../../src/demo/vision-demo-settings.js';
import { runMedistill } from '../support/cli.js';
import { temporaryDirectory } from '../support/paths.js';

/** The vision demo at a tiny size: real benchmark, teacher, vision trainer and llama-server, seconds not minutes. */
const tinySettings = {
  ...visionDemoSettings(true),
  benchmark: { seed: 2, trainStudiesPerCombination: 1, testStudiesPerCombination: 1 },
  training: { ...visionDemoSettings(true).training, epochs: 1, batchSize: 8 },
  maxAnswerTokens: 24,
  shownExamples: 2,
};

/** The grounding section and the shown films, in report.html and report.md, however they were rendered. */
async function expectGroundingSections(directory: string, films: number): Promise<void> {
  const html = await readFile(join(directory, 'report.html'), 'utf8');
  expect(html).toContain('<h2>Visual grounding of the CoT-VL student</h2>');
  for (const condition of ['real image', 'blank image (mid-grey)', "another item's image", 'no image'])
    expect(html).toContain(`<tr><td>${condition.replace("'", '&#39;')}</td><td class="number">`);
  expect(html).toContain('data-chart="grounding"><svg');
  expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(films);
  const markdown = await readFile(join(directory, 'report.md'), 'utf8');
  expect(markdown).toContain('## Visual grounding of the CoT-VL student');
  expect(markdown).toMatch(/^real image +\d+\.\d%/m);
  expect(markdown).toMatch(/^no image +\d+\.\d%/m);
  expect(markdown).toContain('## Test films');
  expect(markdown.match(/!\[img-test-\d+\]\(benchmark-images\/img-test-\d+\.png\)/g)).toHaveLength(films);
}

describe('medistill demo --vision pipeline', () => {
  it('runs the four strategies, filters the teacher by agreement, analyses grounding and writes the report and the student', async () => {
    const directory = await temporaryDirectory();
    const summary = await runVisionDemo({ quick: true, directory, settings: tinySettings });
    const names = summary.results.strategies.map((strategy) => strategy.strategy);
    expect(names).toEqual(['zero-shot', 'answer-only', 'cot-vl-captions', 'cot-vl']);
    for (const strategy of summary.results.strategies) {
      expect(strategy.error).toBeUndefined();
      expect(strategy.seeds[0]!.total).toBe(summary.benchmark.testItems);
    }
    const cotVl = summary.results.strategies.find((strategy) => strategy.strategy === 'cot-vl')!.seeds[0]!;
    // Every planted label error is filtered (the teacher never reads labels), and the slips with them.
    expect(cotVl.counts.rationalesRejected).toBeGreaterThanOrEqual(summary.benchmark.mislabeled);
    expect(cotVl.counts.trainingExamples).toBe(
      summary.benchmark.trainItems - cotVl.counts.rationalesRejected!,
    );
    // CoT-VL is compared with each other strategy, item by item.
    expect(summary.results.comparisons.map((comparison) => comparison.b).sort()).toEqual([
      'answer-only',
      'cot-vl-captions',
      'zero-shot',
    ]);
    // The grounding analysis asked every test film four ways; no image really sends none.
    expect(summary.grounding.summary.n).toBe(summary.benchmark.testItems);
    const tokens = Object.fromEntries(
      summary.grounding.summary.conditions.map((condition) => [
        condition.condition,
        condition.meanPromptTokens,
      ]),
    );
    expect(tokens['real-image']! - tokens['no-image']!).toBe(16);
    for (const file of ['results.json', 'report.html', 'report.md', 'student.gguf', 'student.mmproj.gguf'])
      expect(existsSync(join(directory, file)), file).toBe(true);
    await expectGroundingSections(directory, 2);
    const results = JSON.parse(await readFile(join(directory, 'results.json'), 'utf8')) as {
      grounding: { summary: { comparisons: unknown[] } };
      examples: unknown[];
      report: { grounding: { examples: { imagePath: string }[] } };
    };
    expect(results.grounding.summary.comparisons).toHaveLength(3);
    expect(results.examples).toHaveLength(2);
    // The report names the films relative to the run, and holds no image bytes.
    expect(results.report.grounding.examples.map((example) => example.imagePath)).toEqual([
      expect.stringMatching(/^benchmark-images\/img-test-\d+\.png$/),
      expect.stringMatching(/^benchmark-images\/img-test-\d+\.png$/),
    ]);
    // `medistill report` re-renders from results.json alone, and keeps the grounding and the films.
    await rm(join(directory, 'report.html'));
    await rm(join(directory, 'report.md'));
    const rendered = await runMedistill(['report', directory, '--max-errors', '3']);
    expect(rendered.code, rendered.stderr).toBe(0);
    await expectGroundingSections(directory, 2);
  });
});
