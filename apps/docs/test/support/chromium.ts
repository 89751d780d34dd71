import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, tool } from '@testmax/test-support/tools';
import { type BrowserContext, chromium } from 'playwright-core';

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile and no background traffic of its own. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const { path } = tool('chromium');
  if (path === undefined) throw new Error('Chromium is not installed: run `pnpm test:setup`.');
  const profile = await mkdtemp(join(tmpdir(), 'testmax-docs-chromium-'));
  // A persistent context is how Playwright takes an explicit --user-data-dir (a fresh one here).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: path,
    headless: true,
    args: CHROMIUM_ARGS,
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
