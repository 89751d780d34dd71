import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

// TESTMAX_CHROMIUM, as in the repository's other browser test (and a TESTMAX_* name passes turbo's strict env).
export const CHROMIUM = process.env.TESTMAX_CHROMIUM || '/usr/bin/chromium';

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile and no background traffic of its own. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. Install it with ` +
        '`sudo apt-get update && sudo apt-get install -y chromium` (or set TESTMAX_CHROMIUM to another binary).',
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'testmax-docs-chromium-'));
  // A persistent context is how Playwright takes an explicit --user-data-dir (a fresh one here).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
