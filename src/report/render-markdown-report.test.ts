import { describe, expect, it } from 'vitest';
import { sampleRunReport } from '../../test/fixtures/eval/sample-run-report.js';
import { renderMarkdownReport } from './render-markdown-report.js';
import { runReportSchema, strategyLabel } from './run-report.js';

describe('renderMarkdownReport', () => {
  it('summarises strategies, comparisons, subjects and errors in tables', async () => {
    const input = await sampleRunReport();
    const report = runReportSchema.parse(input);
    const markdown = renderMarkdownReport(input);
    expect(markdown).toMatch(/^# Gastroenterology distillation/);
    for (const strategy of report.strategies) {
      const row = markdown.split('\n').find((line) => line.startsWith(`| ${strategyLabel(strategy)} |`));
      expect(row).toContain(`${(strategy.accuracy * 100).toFixed(1)}%`);
      expect(row).toContain(
        `[${(strategy.ci95[0] * 100).toFixed(1)}, ${(strategy.ci95[1] * 100).toFixed(1)}]`,
      );
    }
    expect(markdown).toContain('## Paired comparisons');
    expect(markdown.match(/^\| .* \| .* \| 60 \|/gm)).toHaveLength(report.comparisons.length);
    expect(markdown).toContain('## Accuracy by subject');
    expect(markdown).toContain('## Worst errors');
  });

  it('keeps table cells intact when text holds pipes, newlines and markup', async () => {
    const input = await sampleRunReport();
    const strategy = input.strategies[0]!;
    input.strategies[0] = { ...strategy, name: 'a | b\nc <b>' };
    input.comparisons = [];
    input.trainingHistories = [];
    const markdown = renderMarkdownReport(input);
    expect(markdown).toContain('| a \\| b c &lt;b> (seed 1) |');
  });
});
