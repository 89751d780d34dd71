import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tool } from '@testmax/test-support/tools';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SCHEMAS_TAG } from '../scripts/generate-api.mjs';
import { type LaunchedBrowser, launchChromium } from './support/chromium.js';
import { checkLinks, externalResources } from './support/links.js';
import { distDir, docsDir, ensureBuilt, repoRoot } from './support/site.js';
import { type StaticServer, serveStatic } from './support/static-server.js';
import { visit } from './support/visit.js';

const browser = tool('chromium');
const screenshots = join(docsDir, '.test-results', 'screenshots');

/** Every hand-written page and the entry page of each generated reference, with its heading. */
const PAGES: [path: string, heading: string][] = [
  ['/', 'TestMax SDK'],
  ['/guide/getting-started.html', 'Getting started'],
  ['/guide/credentials.html', 'Credentials'],
  ['/guide/token-lifecycle.html', 'Token lifecycle'],
  ['/guide/errors.html', 'Errors'],
  ['/guide/testing-with-mock-server.html', 'Testing'],
  ['/guide/other-languages.html', 'other language'],
  ['/reference/index.html', 'Reference'],
  ['/reference/sdk/index.html', 'SDK reference'],
  ['/reference/sdk/client/index.html', '@testmax/client'],
  ['/reference/cli.html', 'CLI reference'],
];

let server: StaticServer;
let chromium: LaunchedBrowser;
let context: BrowserContext;

// Debian's Chromium drives every test here: without it they skip loudly on a laptop and fail in CI.
describe.runIf(browser.available)(`the built site in Chromium${browser.skipNote}`, () => {
  beforeAll(async () => {
    ensureBuilt();
    server = await serveStatic(distDir);
    chromium = await launchChromium();
    context = chromium.context;
    await mkdir(screenshots, { recursive: true });
    console.log(`screenshots: ${screenshots}`);
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  describe('every page loads cleanly and offline', () => {
    test.each(PAGES)('%s', async (path, heading) => {
      const { page, status, consoleErrors, failedRequests, externalRequests } = await visit(
        context,
        server.url + path,
      );
      expect(status).toBe(200);
      await expect.poll(() => page.locator('h1').first().innerText()).toContain(heading);
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
      expect(externalRequests).toEqual([]);
      await page.close();
    });
  });

  describe('API reference (Redoc, from spec/openapi.yaml)', () => {
    type Operation = { operationId: string; summary: string; path: string; tag: string; secured: boolean };
    let operations: Operation[];

    beforeAll(async () => {
      const spec = JSON.parse(await readFile(join(repoRoot, 'spec/dist/openapi.json'), 'utf8'));
      operations = Object.entries(
        spec.paths as Record<string, Record<string, Record<string, unknown>>>,
      ).flatMap(([path, methods]) =>
        Object.values(methods).map((op) => ({
          operationId: op.operationId as string,
          summary: op.summary as string,
          path,
          tag: (op.tags as string[])[0]!,
          // `security: []` opts out of the document's global bearerAuth requirement.
          secured: !Array.isArray(op.security) || op.security.length > 0,
        })),
      );
    });

    test('loads with no console errors, failed or external requests, and links back to the guides', async () => {
      const { page, status, consoleErrors, failedRequests, externalRequests } = await visit(
        context,
        `${server.url}/api/index.html`,
      );
      expect(status).toBe(200);
      await expect.poll(() => page.locator('h1').first().innerText()).toContain('TopStep Simulator API');
      await page.screenshot({ path: join(screenshots, 'api-reference.png') });
      expect(consoleErrors).toEqual([]);
      expect(failedRequests).toEqual([]);
      expect(externalRequests).toEqual([]);
      await page.click('text=TestMax SDK docs');
      await page.waitForURL(`${server.url}/index.html`);
      await page.close();
    });

    test('lists all five operations with their summaries, paths, security, examples and error codes', async () => {
      expect(operations.map((op) => op.operationId).sort()).toEqual([
        'loginKey',
        'logout',
        'ping',
        'searchAccounts',
        'validateToken',
      ]);
      const { page, consoleErrors, externalRequests } = await visit(context, `${server.url}/api/index.html`);
      const body = page.locator('body');
      for (const op of operations) {
        // Each tag's section lists its operations in the sidebar; each operation has its own route.
        const tag = op.tag.toLowerCase();
        await page.goto(`${server.url}/api/index.html#/${tag}`);
        const link = page.locator(`a[href$="#/${tag}/${op.operationId.toLowerCase()}"]`).first();
        await expect.poll(() => link.innerText()).toContain(op.summary);
        await link.click();
        await page.waitForURL(`**#/${tag}/${op.operationId.toLowerCase()}`);
        // The operation's own page: its summary as a heading, then its responses.
        await page.getByRole('heading', { name: op.summary }).first().waitFor();
        await page.getByRole('heading', { name: 'Responses' }).first().waitFor();
        await expect.poll(() => body.innerText()).toContain(op.path);
        // Authenticated operations name the bearer scheme; loginKey and ping need none.
        if (op.secured) await expect.poll(() => body.innerText()).toContain('bearerAuth');
        else expect(await body.innerText()).not.toContain('bearerAuth');
      }
      await page.goto(`${server.url}/api/index.html#/auth/loginkey`);
      await expect.poll(() => body.innerText()).toContain('trader@example.com'); // the request example
      const login = await body.innerText();
      expect(login).toContain('9 Pro subscription required'); // the errorCode enum's description
      expect(login).toMatch(/429/);
      await page.getByRole('heading', { name: 'Log in with an API key' }).first().scrollIntoViewIfNeeded();
      await page.screenshot({
        path: join(screenshots, 'api-reference-loginKey.png'),
        animations: 'disabled',
      });
      expect(consoleErrors).toEqual([]);
      expect(externalRequests).toEqual([]);
      await page.close();
    });

    test('has a Schemas section listing every component schema, each on its own page', async () => {
      const spec = JSON.parse(await readFile(join(repoRoot, 'spec/dist/openapi.json'), 'utf8'));
      const names = Object.keys(spec.components.schemas as Record<string, unknown>);
      expect(names).toEqual(expect.arrayContaining(['ProblemDetails', 'LoginResponse', 'ErrorCode']));
      const section = SCHEMAS_TAG.toLowerCase();
      const { page, consoleErrors, externalRequests } = await visit(
        context,
        `${server.url}/api/index.html#/${section}`,
      );
      for (const name of names) {
        const link = page.locator(`a[href$="#/${section}/${name.toLowerCase()}"]`).first();
        await expect.poll(() => link.innerText(), { message: name }).toContain(name);
      }
      // A schema's own page renders its fields and their descriptions.
      await page.goto(`${server.url}/api/index.html#/${section}/problemdetails`);
      await expect.poll(() => page.locator('body').innerText()).toContain('A short summary of the problem.');
      expect(consoleErrors).toEqual([]);
      expect(externalRequests).toEqual([]);
      await page.close();
    });

    test('serves the bundled spec for download', async () => {
      for (const file of ['openapi.json', 'openapi.yaml']) {
        const response = await fetch(`${server.url}/${file}`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe(await readFile(join(repoRoot, 'spec/dist', file), 'utf8'));
      }
    });
  });

  describe('site features', () => {
    test('local search finds "loginKey" and opens the page that documents it', async () => {
      const { page, externalRequests } = await visit(context, `${server.url}/`);
      await page.locator('.VPNavBarSearch button').first().click();
      const input = page.locator('.VPLocalSearchBox input');
      await input.fill('loginKey');
      const results = page.locator('.VPLocalSearchBox .results li');
      await expect.poll(() => results.count()).toBeGreaterThan(0);
      // The reference's table of the five operations is among the hits; open it from the results.
      const operations = page.locator('.VPLocalSearchBox .results a[href="/reference/#the-five-operations"]');
      await expect.poll(() => operations.count()).toBe(1);
      await operations.click();
      await page.waitForURL(`${server.url}/reference/#the-five-operations`);
      await expect.poll(() => page.locator('.vp-doc').innerText()).toContain('POST /Auth/loginKey');
      expect(externalRequests).toEqual([]);
      await page.close();
    });

    test('the appearance switch turns dark mode on and off', async () => {
      const { page } = await visit(context, `${server.url}/guide/getting-started.html`);
      const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
      const before = await isDark();
      await page.locator('.VPNavBar .VPSwitchAppearance').first().click();
      await expect.poll(isDark).toBe(!before);
      await page.locator('.VPNavBar .VPSwitchAppearance').first().click();
      await expect.poll(isDark).toBe(before);
      await page.close();
    });

    test('the nav leads from the home page to the guides and every reference', async () => {
      const { page } = await visit(context, `${server.url}/`);
      await page.screenshot({ path: join(screenshots, 'home.png'), fullPage: true });
      const targets = await page
        .locator('.VPNavBar a')
        .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      expect(targets).toEqual(
        expect.arrayContaining([
          '/guide/getting-started.html',
          '/reference/sdk/',
          '/reference/cli.html',
          '/api/index.html',
        ]),
      );
      await page.close();
    });

    test('every internal link and asset in the built HTML resolves to a file', async () => {
      const { checked, pages, broken } = await checkLinks(distDir);
      expect(pages).toBeGreaterThan(PAGES.length);
      expect(checked).toBeGreaterThan(100);
      expect(broken).toEqual([]);
    });

    test('no built page loads a script, style, font or image from another host', async () => {
      expect(await externalResources(distDir)).toEqual([]);
    });

    test('screenshots of the home page and the API reference were saved', async () => {
      for (const name of ['home.png', 'api-reference.png', 'api-reference-loginKey.png']) {
        expect((await stat(join(screenshots, name))).size).toBeGreaterThan(10_000);
      }
    });
  });

  describe('generated references match what is built', () => {
    const SDK = [
      {
        slug: 'client',
        entry: 'packages/client/src/index.ts',
        expects: ['createClient', 'DEFAULT_BASE_URL'],
      },
      { slug: 'auth', entry: 'packages/auth/src/index.ts', expects: ['AuthSession', 'TestMaxError'] },
      { slug: 'mock-server', entry: 'packages/mock-server/src/index.ts', expects: ['startMockServer'] },
    ];

    test.each(SDK)('SDK reference for $slug', async ({ slug, entry, expects }) => {
      const html = await readFile(join(distDir, 'reference/sdk', slug, 'index.html'), 'utf8');
      if (!existsSync(join(repoRoot, entry))) {
        expect(html).toContain('Not generated yet');
        return;
      }
      expect(html).not.toContain('Not generated yet');
      for (const name of expects) expect(html).toContain(name);
    });

    test('CLI reference shows the --help of every command', async () => {
      const html = await readFile(join(distDir, 'reference/cli.html'), 'utf8');
      if (!existsSync(join(repoRoot, 'packages/cli/dist/bin.js'))) {
        expect(html).toContain('Not generated yet');
        return;
      }
      expect(html).not.toContain('Not generated yet');
      for (const command of ['ping', 'login', 'status', 'validate', 'token', 'logout', 'accounts']) {
        expect(html).toContain(`testmax ${command}`);
      }
      expect(html).toContain('--api-key-stdin');
      // The simulator's command is documented beside it once its package is built.
      if (existsSync(join(repoRoot, 'packages/mock-server/dist/bin.js'))) {
        expect(html).toContain('Usage: testmax-mock');
        expect(html).toContain('--token-lifetime');
      }
    });
  });
});
