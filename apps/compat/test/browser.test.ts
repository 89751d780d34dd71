import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEMO_ACCOUNTS, DEMO_USER, type MockServer, startMockServer } from '@testmax/mock-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserBundle, bundleForBrowser } from '../src/browser-bundle.js';

// The client and the runtime-neutral core of auth in a real browser: bundled like a web app
// would bundle them, served from one loopback origin, talking to the simulator on another (so
// CORS is exercised), in Debian's headless Chromium.

const CHROMIUM = process.env.TESTMAX_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

type BrowserApi = typeof import('../src/browser-entry.js');

let bundle: BrowserBundle;
let mock: MockServer;
let site: Server;
let siteUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set TESTMAX_CHROMIUM)`);
  }
  bundle = await bundleForBrowser({ file: join(import.meta.dirname, '..', 'src', 'browser-entry.ts') });
  mock = await startMockServer();
  site = createServer((req, res) => {
    if (req.url === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.code);
    } else if (req.url === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          '<!doctype html><meta charset="utf-8"><title>TestMax smoke</title><script src="/bundle.js"></script>',
        );
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end(); // keeps the console free of a 404 that is not ours
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
  await mock?.close();
});

describe('browser smoke test: @testmax/client + @testmax/auth bundled with esbuild, in headless Chromium', () => {
  it('bundles without pulling in any Node built-in', () => {
    expect(bundle.nodeBuiltins).toEqual([]);
    expect(bundle.code).toContain('Auth/loginKey');
  });

  it('would notice a Node built-in: the Node-only entry @testmax/auth/node is flagged', async () => {
    const nodeOnly = await bundleForBrowser({
      source: "export { loadCredentials } from '@testmax/auth/node';",
      resolveDir: join(import.meta.dirname, '..'),
    });
    expect(nodeOnly.nodeBuiltins.length).toBeGreaterThan(0);
    expect(nodeOnly.nodeBuiltins.join('\n')).toMatch(/^(node:)?(fs|path|os|util)/m);
  });

  it('logs in, gets a session token and searches accounts against the simulator, cross-origin', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(siteUrl);
    mock.resetCalls();

    const outcome = await page.evaluate(
      async ({ baseUrl, userName, apiKey }) => {
        const TestMax = (globalThis as unknown as { TestMax: BrowserApi }).TestMax;
        const ping = await TestMax.createClient({ baseUrl }).GET('/Status/ping');
        const session = new TestMax.AuthSession({ userName, apiKey, baseUrl });
        const token = await session.getSessionToken();
        const again = await session.getSessionToken();
        const search = await session.client.POST('/Account/search', { body: {} });
        await session.logout();
        let wrongKey = 'accepted';
        try {
          await new TestMax.AuthSession({ userName, apiKey: 'not-the-key', baseUrl }).getSessionToken();
        } catch (error) {
          wrongKey = `${error instanceof TestMax.InvalidCredentialsError}/${error instanceof TestMax.TestMaxError}`;
        }
        return {
          origin: location.origin,
          ping: ping.data?.success,
          tokenSegments: token.split('.').length,
          sameTokenReused: token === again,
          accounts: search.data?.accounts.map((account) => account.name),
          wrongKey,
        };
      },
      { baseUrl: mock.url, userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey },
    );
    await page.close();

    expect(outcome.origin).not.toBe(new URL(mock.url).origin);
    expect(outcome).toMatchObject({
      ping: true,
      tokenSegments: 3,
      sameTokenReused: true,
      wrongKey: 'true/true',
    });
    expect(outcome.accounts).toEqual(DEMO_ACCOUNTS.map((account) => account.name));
    // The requests really reached this simulator from the page.
    expect(mock.calls('/Auth/loginKey')).toBeGreaterThan(0);
    expect(mock.calls('/Account/search')).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
