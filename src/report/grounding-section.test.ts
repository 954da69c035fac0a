import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import type { GroundingReportInput } from './grounding-report.js';
import { parseRunReport } from './read-run-report.js';
import { renderHtmlReport } from './render-html-report.js';
import { renderMarkdownReport } from './render-markdown-report.js';
import type { RunReportInput } from './run-report.js';

/** A 1x1 PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const row = (condition: 'real-image' | 'blank-image' | 'other-image' | 'no-image', correct: number) => ({
  condition,
  n: 12,
  correct,
  accuracy: correct / 12,
  ci95: [Math.max(0, correct / 12 - 0.25), Math.min(1, correct / 12 + 0.2)] as [number, number],
  unanswered: 1,
  failed: 0,
  meanPromptTokens: condition === 'no-image' ? 40 : 56,
});

const comparison = (condition: 'blank-image' | 'other-image' | 'no-image', difference: number) => ({
  condition,
  onlyRealCorrect: 4,
  onlyControlCorrect: 1,
  difference,
  differenceCi95: [difference - 0.2, difference + 0.1] as [number, number],
  pValue: 0.375,
  pValueHolm: 0.75,
});

const grounding = (examples: GroundingReportInput['examples']): GroundingReportInput => ({
  subject: 'the CoT-VL student',
  modelId: 'student.gguf',
  seed: 1,
  excluded: { openEnded: 0, withoutImages: 0, imageProblems: 0 },
  summary: {
    n: 12,
    conditions: [row('real-image', 8), row('blank-image', 5), row('other-image', 5), row('no-image', 4)],
    comparisons: [
      comparison('blank-image', 0.25),
      comparison('other-image', 0.25),
      comparison('no-image', 1 / 3),
    ],
    positionPrior: null,
    majority: { label: 'A', accuracy: 0.25, ci95: [0.09, 0.53], n: 12 },
  },
  examples,
});

const example = (itemId: string, imagePath: string) => ({
  itemId,
  imagePath,
  question: 'Which finding does this film show?',
  options: ['A. left pneumothorax', 'B. right effusion'],
  reference: 'A. left pneumothorax',
  caption: 'a dark rim along the left lung',
  reply: 'The left lung edge is visible. Final Answer: A',
  correct: true,
});

const report = (input: GroundingReportInput): RunReportInput => ({
  schemaVersion: 1,
  title: 'vision demo',
  createdAt: '2026-01-01T00:00:00Z',
  strategies: [{ name: 'cot-vl', n: 12, correct: 8, accuracy: 8 / 12, ci95: [0.39, 0.86] }],
  grounding: input,
});

async function runDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'medistill-grounding-'));
  await mkdir(join(directory, 'benchmark-images'));
  await writeFile(join(directory, 'benchmark-images', 'img-test-1.png'), png);
  return directory;
}

describe('the grounding section of the run report', () => {
  it('shows the conditions, the paired tests, the chart and the films inline in report.html', async () => {
    const directory = await runDirectory();
    const page = await renderHtmlReport(
      report(grounding([example('img-test-1', 'benchmark-images/img-test-1.png')])),
      { directory },
    );
    expect(page).toContain('<h2>Visual grounding of the CoT-VL student</h2>');
    expect(page).toMatch(/<tr><td>real image<\/td><td class="number">66\.7%<\/td>/);
    expect(page).toMatch(/<tr><td>no image<\/td><td class="number">\+33\.3 pp<\/td>/);
    expect(page).toContain('data-chart="grounding"><svg');
    expect(page).toContain("<h2>Test films, with the CoT-VL student's rationale and answer</h2>");
    expect(page).toContain(`<img src="data:image/png;base64,${png.toString('base64')}"`);
    expect(page).toContain('Final Answer: A');
  });

  it('notes a film it cannot read, or a file that is not an image, instead of failing', async () => {
    const directory = await runDirectory();
    const page = await renderHtmlReport(
      report(
        grounding([
          example('img-test-1', 'benchmark-images/img-test-1.png'),
          example('img-test-2', 'benchmark-images/img-test-2.png'),
          example('secret', 'results.json'),
        ]),
      ),
      { directory },
    );
    expect(page.match(/<img src="data:/g)).toHaveLength(1);
    expect(page).toContain(
      '<p class="note missing-film">Film not available: benchmark-images/img-test-2.png (ENOENT).</p>',
    );
    // Only image files are inlined, whatever results.json names.
    expect(page).toContain('Film not shown: results.json is not an image file.');
  });

  it('is absent when the run had no grounding analysis', async () => {
    const { grounding: _grounding, ...without } = report(grounding([]));
    expect(await renderHtmlReport(without)).not.toContain('id="grounding"');
    expect(renderMarkdownReport(without)).not.toContain('Visual grounding');
  });

  it('puts the text table and the films, linked relative to report.md, in report.md', async () => {
    const directory = await runDirectory();
    const markdown = renderMarkdownReport(
      report(grounding([example('img-test-1', join(directory, 'benchmark-images', 'img-test-1.png'))])),
      { directory },
    );
    expect(markdown).toContain('## Visual grounding of the CoT-VL student');
    expect(markdown).toMatch(/^real image\s+66\.7% {2}\[41\.7, 86\.7\]\s+8\/12/m);
    expect(markdown).toContain('![img-test-1](benchmark-images/img-test-1.png)');
    expect(markdown).toContain('**img-test-1** right · reference: A. left pneumothorax');
  });

  it('is refused with the bad field named: a wrong number, or an image embedded instead of referenced', () => {
    const tooHigh = grounding([]);
    tooHigh.summary.conditions[0]!.accuracy = 1.5;
    expect(() => parseRunReport(report(tooHigh), 'results.json')).toThrow(
      /results\.json.*grounding\.summary\.conditions\.0\.accuracy/,
    );
    const embedded = grounding([
      { ...example('img-test-1', 'benchmark-images/img-test-1.png'), imageDataUrl: 'data:' } as never,
    ]);
    try {
      parseRunReport(report(embedded), 'results.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).location?.field).toBe('grounding.examples.0');
      expect((error as InputError).message).toContain('imageDataUrl');
    }
  });
});
