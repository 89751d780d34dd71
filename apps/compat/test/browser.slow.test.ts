import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEMO_ACCOUNTS, DEMO_USER, type MockServer, startMockServer } from '@testmax/mock-server';
import { type Browser, launchChromium } from '@testmax/test-support/chromium';
import { tool } from '@testmax/test-support/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserBundle, bundleForBrowser } from '../src/browser-bundle.js';

// The client and the runtime-neutral core of auth in a real browser: bundled like a web app
// would bundle them, served from one loopback origin, talking to the simulator on another (so
// CORS is exercised), in Debian's headless Chromium (without it: skipped loudly on a laptop,
// a failure in CI).

const CHROMIUM = tool('chromium');

type BrowserApi = typeof import('../src/browser-entry.js');

let bundle: BrowserBundle;
let mock: MockServer;
let site: Server;
let siteUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (!CHROMIUM.available) return;
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
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)));
  await mock?.close();
});

describe.runIf(CHROMIUM.available)(
  `browser smoke test: @testmax/client + @testmax/auth bundled with esbuild, in headless Chromium${CHROMIUM.skipNote}`,
  () => {
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
      const preflightsCounted = await callsCountPreflights(mock);
      const page = await browser.newPage();
      // Every request the page sends to the simulator, as "METHOD /path" (Chromium's CORS preflights
      // are not page requests, so they are not in here).
      const sent: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.origin === new URL(mock.url).origin) sent.push(`${request.method()} ${url.pathname}`);
      });
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
      // Exactly one login for the two getSessionToken() calls (the second reuses the token), one for
      // the wrong key (never retried); no refresh; one search, one logout.
      expect(sent.sort()).toEqual(
        [
          'GET /Status/ping',
          'POST /Auth/loginKey',
          'POST /Auth/loginKey',
          'POST /Account/search',
          'POST /Auth/logout',
        ].sort(),
      );
      // The same requests really reached this simulator. Chromium preflights each non-simple URL
      // once (the simulator answers with Access-Control-Max-Age: 600), which calls() counts only if
      // it counts OPTIONS requests.
      const preflight = preflightsCounted ? 1 : 0;
      expect(mock.calls('/Auth/loginKey')).toBe(2 + preflight);
      expect(mock.calls('/Account/search')).toBe(1 + preflight);
      expect(mock.calls('/Auth/logout')).toBe(1 + preflight);
      expect(mock.calls('/Auth/validate')).toBe(0);
      expect(mock.calls('/Status/ping')).toBe(1);
      expect(pageErrors).toEqual([]);
    });
  },
);

/**
 * Whether the simulator's calls() counts CORS preflights (OPTIONS): probed with one preflight
 * from here, then the counters are reset. Lets the browser test count exactly either way.
 */
async function callsCountPreflights(server: MockServer): Promise<boolean> {
  server.resetCalls();
  const answer = await fetch(`${server.url}/Auth/loginKey`, {
    method: 'OPTIONS',
    headers: {
      Origin: 'http://127.0.0.1:9',
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    },
  });
  await answer.arrayBuffer();
  const counted = server.calls('/Auth/loginKey') === 1;
  server.resetCalls();
  return counted;
}
