import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';
import type { RunEvent } from '../../src/methods/strategy-context.js';
import { runViewServer, type ViewServer } from '../../src/review/run-view-server.js';
import { hasChromium, type LaunchedBrowser, launchChromium } from '../support/browser.js';
import { temporaryDirectory } from '../support/paths.js';
import { tinyDemoSettings } from '../support/tiny-demo.js';

/*
 * The review loop as a reviewer lives it, in real Chromium: open a demo run in `medistill view`,
 * filter to the student's stage-2 errors, open one, edit its corrective chain, rerun the demo, and
 * find the edited chain in the stage-2 training set and the review counted in the report, with
 * stage 1 not retrained.
 */
/** An element's text as the DOM holds it. */
const text = async (locator: Locator): Promise<string> => (await locator.textContent()) ?? '';

describe.skipIf(!hasChromium)('review console in a real browser', () => {
  let browser: LaunchedBrowser;
  let directory: string;
  let server: ViewServer | undefined;

  beforeAll(async () => {
    directory = await temporaryDirectory('medistill-view-');
    await runDemo({ quick: true, directory, settings: tinyDemoSettings() });
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await browser?.close();
  });

  it('edits a stage-2 corrective chain, and the rerun trains on the edit and counts it', async () => {
    server = await runViewServer({ directory, reviewer: 'reviewer-a' });
    const origin = new URL(server.url).origin;
    const page = await browser.context.newPage();
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(origin)) foreign.push(request.url());
    });

    await page.goto(server.url);
    expect(await page.locator('h2', { hasText: 'Figures' }).count()).toBe(1);
    expect(await text(page.locator('table').first())).toContain('medthink');
    await page.getByRole('link', { name: 'Items' }).click();

    // Filter to the training items the student got wrong in the stage-2 probe.
    await page.selectOption('select[name=stage]', 'stage2');
    await page.selectOption('select[name=outcome]', 'wrong');
    await page.selectOption('select[name=set]', 'train');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/outcome=wrong/);
    const rows = page.locator('#items tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    for (const badge of await page.locator('#items tbody tr td:nth-child(5) .badge').all())
      expect(await badge.getAttribute('class')).toContain('wrong');
    const firstItem = rows.first().locator('a');
    const itemId = (await text(firstItem)).trim();
    await firstItem.click();
    await page.waitForURL(/\/item\/medthink\/1\//);

    const chain = page.locator('section[data-stage="stage2.correct"]');
    const original = await text(chain.locator('pre.original'));
    expect(original).toContain('From the knowledge points');
    const edited = `Reviewed chain for ${itemId}: the findings point to the reference answer .\nAnswer: ${
      original
        .split('\n')
        .at(-1)
        ?.replace(/^Answer: /, '') ?? ''
    }`;
    await chain.locator('textarea[name=text]').fill(edited);
    await chain.getByRole('button', { name: 'Save edit' }).click();
    await page.waitForLoadState();
    expect(await text(chain.locator('.review-status'))).toContain('Edited by reviewer-a');
    expect(await text(chain.locator('pre.effective'))).toBe(edited);
    expect(await text(chain.locator('pre.original'))).toBe(original);
    expect(foreign).toEqual([]);
    await page.close();
    await server.close();
    server = undefined;

    // The teacher's original stays in the stage file.
    const seedDirectory = join(directory, 'medthink', 'seed-1');
    expect(await readFile(join(seedDirectory, 'stage2.correct.json'), 'utf8')).toContain(
      JSON.stringify(original).slice(1, 40),
    );

    const stage1Trained = (await stat(join(seedDirectory, 'stage1.gguf'))).mtimeMs;
    const events: RunEvent[] = [];
    await runDemo({
      quick: true,
      directory,
      settings: tinyDemoSettings(),
      onEvent: (event) => events.push(event),
    });
    const trainingSet = await readFile(join(seedDirectory, 'stage2.train.jsonl'), 'utf8');
    const examples = trainingSet
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { messages: { content: string }[]; meta: { itemId: string; target: string } },
      )
      .filter((entry) => entry.meta.itemId === itemId);
    expect(examples.map((entry) => [entry.meta.target, entry.messages[1]?.content])).toEqual([
      ['correction', edited],
    ]);
    // Only what changed retrains: stage 2 (new data), not stage 1.
    const trained = new Set(events.filter((event) => event.type === 'training').map((event) => event.stage));
    expect([...trained]).toEqual(['stage2']);
    expect((await stat(join(seedDirectory, 'stage1.gguf'))).mtimeMs).toBe(stage1Trained);

    const report = await browser.context.newPage();
    await report.goto(pathToFileURL(join(directory, 'report.html')).href);
    expect(await text(report.locator('#review-summary'))).toBe(
      'Reviewed: 1 item (0 accepted, 1 edited, 0 rejected); 1 of 1 decision applied to the training data.',
    );
    await report.close();
  }, 300_000);
});
