import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Debian's Chromium; CI installs it with `apt-get install -y chromium`. */
export const chromiumPath = process.env.MEDISTILL_CHROMIUM ?? '/usr/bin/chromium';

export const hasChromium = existsSync(chromiumPath);

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launch headless Chromium with nothing that reaches the network on its own (no updates, sync,
 * QUIC, background requests) and a throwaway profile directory (Playwright takes the profile
 * only through a persistent context).
 */
export async function launchChromium(viewport = { width: 1200, height: 900 }): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'medistill-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
