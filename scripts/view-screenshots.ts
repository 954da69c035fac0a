/**
 * Screenshots of `medistill view` for the README: the overview and one item's trace from a small
 * demo run (made here, in a temporary directory), taken in headless Chromium.
 *
 *   npx tsx scripts/view-screenshots.ts [--out docs] [--tiny]
 *
 * The run uses the quick demo settings (a few minutes on 2 cores); --tiny trains a far smaller
 * student in seconds, for trying the script out.
 * Needs Debian's chromium (or MEDISTILL_CHROMIUM pointing at a Chromium binary).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runDemo } from '../src/demo/run-demo.js';
import { runViewServer } from '../src/review/run-view-server.js';
import { RunStore } from '../src/store/run-store.js';
import { sha256Hex } from '../src/util/canonical-json.js';
import { launchChromium } from '../test/support/browser.js';
import { temporaryDirectory } from '../test/support/paths.js';
import { tinyDemoSettings } from '../test/support/tiny-demo.js';

const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex > 0 ? (process.argv[outIndex + 1] ?? 'docs') : 'docs');
const directory = await temporaryDirectory('medistill-screenshots-');
await runDemo({
  quick: true,
  directory,
  ...(process.argv.includes('--tiny')
    ? { settings: tinyDemoSettings(['zero-shot', 'answer-only', 'medthink']) }
    : {}),
});

// One reviewed chain, so the trace shows a decision beside the teacher's original.
const corrections = JSON.parse(
  await readFile(join(directory, 'medthink', 'seed-1', 'stage2.correct.json'), 'utf8'),
) as { results: { itemId: string; value: string }[] };
const reviewed = corrections.results[0]!;
const store = RunStore.openDirectory(directory);
await store.reviews.record({
  stage: 'stage2.correct',
  itemId: reviewed.itemId,
  originalHash: sha256Hex(reviewed.value),
  decision: 'edit',
  text: reviewed.value.replace('the reply gives no answer', 'the reply names no management'),
  reviewer: 'reviewer-1',
  reviewedAt: new Date().toISOString(),
  strategy: 'medthink',
  seed: 1,
});
store.close();

const server = await runViewServer({ directory, reviewer: 'reviewer-1' });
const browser = await launchChromium({ width: 1280, height: 900 });
try {
  const page = await browser.context.newPage();
  await page.goto(server.url);
  await page.screenshot({ path: join(out, 'view-overview.png'), fullPage: true });
  await page.goto(new URL(`/item/medthink/1/${encodeURIComponent(reviewed.itemId)}`, server.url).href);
  await page.screenshot({ path: join(out, 'view-item-trace.png'), fullPage: true });
  process.stdout.write(`wrote ${join(out, 'view-overview.png')} and ${join(out, 'view-item-trace.png')}\n`);
} finally {
  await browser.close();
  await server.close();
}
