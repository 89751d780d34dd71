/**
 * Debian's Chromium, driven by playwright-core: the one way a suite opens a browser. Headless,
 * with the standard flags (`CHROMIUM_ARGS`: no background traffic of its own) and a throw-away
 * profile (Playwright gives every launch a fresh `--user-data-dir`; every `newContext()` is a
 * fresh, incognito-like profile on top).
 *
 * A suite asks `tool('chromium')` before its tests (skip loudly on a laptop, fail under CI=true)
 * and launches here inside them; launching where it is missing fails by the same rule.
 */
import { type Browser, chromium } from 'playwright-core';
import { CHROMIUM_ARGS, tool } from './tools.js';

export type { Browser, BrowserContext, Page } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  const { path } = tool('chromium');
  if (path === undefined) throw new Error('Chromium is not installed: run `pnpm test:setup`.');
  return chromium.launch({ executablePath: path, headless: true, args: CHROMIUM_ARGS });
}
