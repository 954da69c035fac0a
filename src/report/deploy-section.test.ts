import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../methods/run/run-config.js';
import { renderHtmlReport } from './render-html-report.js';
import type { RunReportInput } from './run-report.js';

const row = (label: string, fileBytes: number, accuracy: number, paired: boolean) => ({
  label,
  path: `/runs/demo/deploy/${label}`,
  weightType: label.includes('q8') ? 'Q8_0' : 'F32',
  fileBytes,
  loadMs: 80,
  peakRssBytes: 108e6,
  promptTokensPerSecond: 20_000,
  generationTokensPerSecond: 3_000,
  accuracy,
  ci95: [accuracy - 0.05, accuracy + 0.04] as [number, number],
  n: 368,
  ...(paired ? { difference: -0.003, differenceCi95: [-0.008, 0] as [number, number], pValue: 1 } : {}),
});

const report: RunReportInput = {
  schemaVersion: 1,
  title: 'demo',
  createdAt: '2026-11-29T17:00:00Z',
  strategies: [{ name: 'medthink', n: 368, correct: 289, accuracy: 289 / 368, ci95: [0.741, 0.824] }],
  deploy: {
    reference: 'stage2.gguf',
    method: 'one fresh process per model',
    rows: [row('stage2.gguf', 2_722_112, 0.785, false), row('student.q8_0.gguf', 773_760, 0.783, true)],
  },
};

describe('the deploy section of report.html', () => {
  it('shows the footprint table and the size-against-accuracy chart', async () => {
    const html = await renderHtmlReport(report);
    expect(html).toContain('<section id="deploy">');
    expect(html).toContain('data-chart="size-accuracy"');
    expect(html).toMatch(/<td>student\.q8_0\.gguf<\/td><td>Q8_0<\/td><td class="number">0\.74 MB<\/td>/);
    expect(html).toContain('78.3% [73.3, 82.3]');
  });

  it('is absent when the run had no deploy stage', async () => {
    const { deploy: _deploy, ...without } = report;
    expect(await renderHtmlReport(without)).not.toContain('id="deploy"');
  });
});

describe('deploy in a run config', () => {
  const base = {
    teacher: 'knowledge-base',
    student: { model: 'new' },
    data: { train: 'train.jsonl' },
    strategies: ['medthink'],
  };
  it('takes the types to export, and names an unknown one', () => {
    expect(
      parseRunConfig({ ...base, deploy: { types: ['q8_0', 'q4_k_m'] } }, 'run.yaml').deploy?.types,
    ).toEqual(['q8_0', 'q4_k_m']);
    expect(() => parseRunConfig({ ...base, deploy: { types: ['q3_weird'] } }, 'run.yaml')).toThrow(
      /run\.yaml: deploy\.types\.0: /,
    );
  });
});
