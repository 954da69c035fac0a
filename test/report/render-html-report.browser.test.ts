import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strategyChartLayers } from '../../src/report/charts/strategy-accuracy-chart.js';
import { renderHtmlReport } from '../../src/report/render-html-report.js';
import {
  type RunReport,
  type RunReportInput,
  runReportSchema,
  strategyLabel,
} from '../../src/report/run-report.js';
import { worstErrors } from '../../src/report/worst-errors.js';
import { sampleRunReport } from '../fixtures/eval/sample-run-report.js';
import { hasChromium, type LaunchedBrowser, launchChromium } from '../support/browser.js';

/*
 * The report as a reader sees it: rendered to a file, opened in headless Chromium (Debian's
 * package; CI installs `chromium`), and checked through the DOM. The page must load nothing from
 * anywhere and run no script.
 */

async function openReport(
  browser: LaunchedBrowser,
  html: string,
  name: string,
): Promise<{ page: Page; requests: string[]; fileUrl: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'medistill-html-'));
  const path = join(directory, `${name}.html`);
  await writeFile(path, html);
  const fileUrl = pathToFileURL(path).href;
  const page = await browser.context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => {
    if (request.url() !== fileUrl) requests.push(request.url());
  });
  await page.goto(fileUrl);
  return { page, requests, fileUrl };
}

describe.skipIf(!hasChromium)('HTML report in a real browser', () => {
  let browser: LaunchedBrowser;
  let input: RunReportInput;
  let report: RunReport;
  let html: string;

  beforeAll(async () => {
    browser = await launchChromium();
    input = await sampleRunReport();
    report = runReportSchema.parse(input);
    html = await renderHtmlReport(input);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('is self-contained: no URL in the page and no request when it opens', async () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img /i);
    const { page, requests } = await openReport(browser, html, 'self-contained');
    await page.locator('details.error-item > summary').first().click();
    expect(requests).toEqual([]);
    await page.close();
  });

  it('shows the strategy chart with one 95% error bar per strategy, and the tables', async () => {
    const { page } = await openReport(browser, html, 'content');
    const chart = page.locator('figure[data-chart="strategy-accuracy"] svg');
    await expect(chart.count()).resolves.toBe(1);
    const box = await chart.boundingBox();
    expect(box?.width).toBeGreaterThan(300);
    // Vega names each layer's marks after the layer: the rule marks of the error-bar layer.
    const errorBars = chart.locator(
      `g.mark-rule[class*="${strategyChartLayers.errorBars}"] line, g.mark-rule[class*="${strategyChartLayers.errorBars}"] path`,
    );
    await expect(errorBars.count()).resolves.toBe(report.strategies.length);
    const bars = chart.locator(`g.mark-rect[class*="${strategyChartLayers.bars}"] path`);
    await expect(bars.count()).resolves.toBe(report.strategies.length);
    const axisText = await chart.locator('text').allTextContents();
    for (const strategy of report.strategies) expect(axisText).toContain(strategyLabel(strategy));

    const strategyRows = page.locator('table[data-table="strategies"] tbody tr');
    await expect(strategyRows.count()).resolves.toBe(report.strategies.length);
    const firstRow = await strategyRows.first().locator('td').allTextContents();
    const first = report.strategies[0]!;
    expect(firstRow).toContain(`${(first.accuracy * 100).toFixed(1)}%`);
    expect(firstRow).toContain(`[${(first.ci95[0] * 100).toFixed(1)}, ${(first.ci95[1] * 100).toFixed(1)}]`);
    await expect(page.locator('table[data-table="comparisons"] tbody tr').count()).resolves.toBe(
      report.comparisons.length,
    );
    await expect(page.locator('table[data-table="baselines"] tbody tr').count()).resolves.toBe(
      report.baselines.length,
    );
    await expect(page.locator('table[data-table="subjects"] tbody tr').count()).resolves.toBe(4);
    for (const name of ['subject-accuracy', 'reliability', 'training-loss']) {
      await expect(page.locator(`figure[data-chart="${name}"] svg`).count()).resolves.toBe(1);
    }
    await page.screenshot({ path: '/tmp/medistill-report-test.png', fullPage: false });
    await page.close();
  });

  it('lets the reader open the worst errors, closed at first, with question, explanation, answer and corrective chain', async () => {
    const { page } = await openReport(browser, html, 'errors');
    const expected = worstErrors(report, 50);
    const details = page.locator('details.error-item');
    await expect(details.count()).resolves.toBe(expected.length);
    const first = details.first();
    expect(await first.getAttribute('data-item-id')).toBe(expected[0]!.itemId);
    await expect(first.getAttribute('open')).resolves.toBeNull();
    await expect(first.locator('.question').isVisible()).resolves.toBe(false);
    await first.locator('summary').first().click();
    await expect(first.getAttribute('open')).resolves.toBe('');
    const item = expected[0]!.item!;
    await expect(first.locator('.question').textContent()).resolves.toBe(item.question);
    await expect(first.locator('li.reference').textContent()).resolves.toBe(
      `${item.answerKey}. ${item.options?.find((option) => option.key === item.answerKey)?.text}`,
    );
    await expect(first.textContent()).resolves.toContain(item.teacherExplanation);
    await expect(first.locator('.answer.wrong').count()).resolves.toBe(expected[0]!.wrongCount);
    const chain = expected[0]!.outcomes.find(({ outcome }) => outcome.correctiveChain)?.outcome
      .correctiveChain;
    expect(chain).toBeDefined();
    await expect(first.locator('details.corrective-chain pre').textContent()).resolves.toBe(chain);
    await first.screenshot({ path: '/tmp/medistill-report-error-item.png' });
    await page.close();
  });

  it('escapes everything: hostile text shows as text and runs nothing', async () => {
    const hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
    const tampered: RunReportInput = structuredClone(input);
    tampered.title = `Title ${hostile}`;
    tampered.strategies[0]!.name = `answer-only ${hostile}`;
    tampered.strategies[0]!.outcomes![0]!.prediction = hostile;
    tampered.items![0]!.question = `Question ${hostile}`;
    tampered.items![0]!.teacherExplanation = `"quoted" & ${hostile}`;
    const label = strategyLabel(tampered.strategies[0]!);
    tampered.trainingHistories = tampered.trainingHistories!.map((history) =>
      history.strategy === 'answer-only (seed 1)' ? { ...history, strategy: label } : history,
    );
    tampered.comparisons = tampered.comparisons!.map((comparison) => ({
      ...comparison,
      a: comparison.a === 'answer-only (seed 1)' ? label : comparison.a,
    }));
    const hostileHtml = await renderHtmlReport(tampered);
    expect(hostileHtml).not.toContain('<script>window');
    expect(hostileHtml).not.toContain('<img src=x');
    const { page, requests } = await openReport(browser, hostileHtml, 'hostile');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    // A string expression, evaluated in the page (the test itself has no DOM types).
    await expect(page.evaluate('typeof window.pwned')).resolves.toBe('undefined');
    await expect(page.locator('h1').textContent()).resolves.toBe(`Title ${hostile}`);
    await expect(
      page.locator('table[data-table="strategies"] tbody tr td').first().textContent(),
    ).resolves.toBe(label);
    await expect(page.locator('script').count()).resolves.toBe(0);
    await expect(page.locator('main img').count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
