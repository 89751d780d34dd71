import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, launchChromium } from '@testmax/test-support/chromium';
import { tool } from '@testmax/test-support/tools';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SCHEMAS_TAG } from '../scripts/generate-api.mjs';
import { SDK_PACKAGES } from '../scripts/generate-sdk.mjs';
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
  ['/reference/api.html', 'HTTP API operations'],
  ['/reference/sdk/index.html', 'SDK reference'],
  ['/reference/sdk/client/index.html', '@testmax/client'],
  ['/reference/cli.html', 'CLI reference'],
];

let server: StaticServer;
let chromium: Browser;
let context: BrowserContext;

// Debian's Chromium drives every test here: without it they skip loudly on a laptop and fail in CI.
describe.runIf(browser.available)(`the built site in Chromium${browser.skipNote}`, () => {
  beforeAll(async () => {
    ensureBuilt();
    server = await serveStatic(distDir);
    chromium = await launchChromium();
    context = await chromium.newContext({ viewport: { width: 1280, height: 800 } });
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

  describe('HTTP API operations (reference/api.md, generated from the spec)', () => {
    test('a section per operation, each linking to its page in the API reference, which opens there', async () => {
      const spec = JSON.parse(await readFile(join(repoRoot, 'spec/dist/openapi.json'), 'utf8'));
      const { page } = await visit(context, `${server.url}/reference/api.html`);
      for (const [path, methods] of Object.entries(
        spec.paths as Record<string, Record<string, Record<string, unknown>>>,
      )) {
        for (const [method, operation] of Object.entries(methods)) {
          const id = String(operation.operationId).toLowerCase();
          const heading = page.locator(`.vp-doc h2[id="${id}"]`);
          await expect.poll(() => heading.innerText()).toContain(String(operation.summary));
          const section = await page
            .locator(`.vp-doc h2[id="${id}"] ~ p`)
            .allInnerTexts()
            .then((texts) => texts.join('\n'));
          expect(section).toContain(`${method.toUpperCase()} ${path}`);
          const href = await page
            .locator(`.vp-doc h2[id="${id}"] ~ p a[href^="/api/index.html#/"]`)
            .first()
            .getAttribute('href');
          const redoc = await context.newPage();
          await redoc.goto(`${server.url}${href}`);
          await redoc
            .getByRole('heading', { name: String(operation.summary) })
            .first()
            .waitFor();
          await redoc.close();
        }
      }
      await page.close();
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
      {
        slug: 'redis',
        entry: 'packages/redis/src/index.ts',
        expects: ['redisTokenStore', 'redisRateLimiter'],
      },
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

    test('CLI reference: one section per command with its usage, options, examples and exit codes', async () => {
      const html = await readFile(join(distDir, 'reference/cli.html'), 'utf8');
      if (!existsSync(join(repoRoot, 'packages/cli/dist/reference.js'))) {
        expect(html).toContain('Not generated yet');
        return;
      }
      expect(html).not.toContain('Not generated yet');
      const { page } = await visit(context, `${server.url}/reference/cli.html`);
      // Each h2 and what follows it up to the next h2: its code blocks and its tables' headers.
      const sections = await page.locator('.vp-doc h2').evaluateAll((headings) =>
        headings.map((h2) => {
          const blocks: string[] = [];
          const tables: string[][] = [];
          const labels: string[] = [];
          for (
            let node = h2.nextElementSibling;
            node && node.tagName !== 'H2';
            node = node.nextElementSibling
          ) {
            for (const pre of node.querySelectorAll('pre')) blocks.push((pre as HTMLElement).innerText);
            if (node.tagName === 'TABLE')
              tables.push([...node.querySelectorAll('th')].map((th) => th.textContent ?? ''));
            const strong = node.querySelector('strong');
            if (node.tagName === 'P' && strong) labels.push(strong.textContent ?? '');
          }
          // Without VitePress's permalink anchor (a zero-width space).
          const title = (h2.textContent ?? '').replace(/[\s\u200b]+$/, '');
          return { title, blocks, tables, labels };
        }),
      );
      const commands = [
        'ping',
        'login',
        'status',
        'validate',
        'token',
        'logout',
        'accounts',
        'api',
        'completion',
      ];
      for (const command of [...commands.map((c) => `testmax ${c}`), 'testmax-mock']) {
        const section = sections.find((s) => s.title === command);
        expect(section, command).toBeDefined();
        expect(section!.blocks[0], `${command}: usage`).toMatch(new RegExp(`^${command} `));
        expect(section!.labels, command).toEqual(expect.arrayContaining(['Examples', 'Exit codes']));
        expect(
          section!.blocks.some((block) => block.includes(`${command.split(' ')[0]} `)),
          command,
        ).toBe(true);
        expect(section!.tables, command).toContainEqual(['exit code', 'meaning']);
      }
      // Options where a command has them, from the definitions: --api-key-stdin, never --api-key.
      const login = sections.find((s) => s.title === 'testmax login')!;
      expect(login.tables).toContainEqual(['option', 'meaning']);
      const text = await page.locator('.vp-doc').innerText();
      expect(text).toContain('--api-key-stdin');
      expect(text).not.toMatch(/--api-key(?!-stdin)/);
      expect(text).toContain('--insecure-storage');
      expect(text).toContain('--profile <name>');
      // testmax api lists the spec's operations; the completion scripts' hidden command is not shown.
      const api = sections.find((s) => s.title === 'testmax api')!;
      expect(api.tables).toContainEqual(['operation', 'what it does']);
      expect(text).toContain('POST Account/search');
      expect(text).not.toContain('__profiles');
      expect(sections.map((s) => s.title)).toEqual(expect.arrayContaining(['Global options', 'Exit codes']));
      await page.close();
    });
  });

  describe('what a newcomer reads first', () => {
    test.each(PAGES)(
      '%s says the packages are not on npm yet, and links the from-a-clone recipe',
      async (path) => {
        const { page } = await visit(context, server.url + path);
        const note = page.locator('.not-published');
        await expect.poll(() => note.count()).toBe(1);
        expect(await note.innerText()).toContain('not published yet');
        expect(await note.locator('a').getAttribute('href')).toBe('/guide/getting-started.html#from-a-clone');
        await page.close();
      },
    );

    test('the recipe is where the note points', async () => {
      const { page } = await visit(context, `${server.url}/guide/getting-started.html#from-a-clone`);
      const section = page.locator('#from-a-clone');
      await expect.poll(() => section.count()).toBe(1);
      const text = await page.locator('.vp-doc').innerText();
      for (const step of ['pack:public', 'npm pkg set type=module', 'packed/testmax-auth.tgz']) {
        expect(text).toContain(step);
      }
      await page.close();
    });

    test('the home page shows the five lines that log in and list the accounts', async () => {
      const { page } = await visit(context, `${server.url}/`);
      const code = page.locator('.vp-doc div[class*="language-"] pre');
      await expect.poll(() => code.count()).toBe(1);
      const lines = (await code.innerText()).split('\n').filter((line) => line.trim() !== '');
      expect(lines).toHaveLength(5);
      expect(lines.join('\n')).toMatch(/AuthSession\.fromEnv\(\)[\s\S]*session\.accounts\(\)/);
      await page.close();
    });

    test.each([
      ...PAGES.map(([path]) => path),
      '/reference/sdk/auth/index.html',
      '/reference/sdk/mock-server/index.html',
      '/reference/sdk/auth/index/classes/AuthSession.html',
      '/reference/sdk/auth/index/interfaces/AuthSessionOptions.html',
    ])('at 1280 px, no code block on %s is cut off', async (path) => {
      const { page } = await visit(context, server.url + path);
      expect(page.viewportSize()?.width).toBe(1280);
      const clipped = await page
        .locator('.vp-doc div[class*="language-"] pre')
        .evaluateAll((blocks) =>
          blocks
            .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
            .map((pre) => (pre as HTMLElement).innerText.split('\n').sort((a, b) => b.length - a.length)[0]),
        );
      expect(clipped).toEqual([]);
      await page.close();
    });
  });

  describe('search', () => {
    async function search(query: string): Promise<{ hrefs: string[]; page: import('playwright-core').Page }> {
      const { page } = await visit(context, `${server.url}/`);
      await page.locator('.VPNavBarSearch button').first().click();
      await page.locator('.VPLocalSearchBox input').fill(query);
      const results = page.locator('.VPLocalSearchBox .results li a');
      await expect.poll(() => results.count()).toBeGreaterThan(0);
      const hrefs = await results.evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
      return { hrefs, page };
    }

    test('"retry after" finds the guides before the SDK reference', async () => {
      const { hrefs, page } = await search('retry after');
      // The guide that explains Retry-After comes first, and every guide's hit before any
      // property page of the SDK reference.
      expect(hrefs[0]).toMatch(/^\/guide\/token-lifecycle\.html#/);
      const lastGuide = hrefs.findLastIndex((href) => href.startsWith('/guide/'));
      const firstSdk = hrefs.findIndex((href) => href.startsWith('/reference/sdk/'));
      expect(firstSdk === -1 || firstSdk > lastGuide, hrefs.join(' ')).toBe(true);
      await page.close();
    });

    test.each(['searchAccounts', 'Validate and refresh the session token', 'End the session'])(
      'finds the API operation "%s" and leads to its page in the API reference',
      async (query) => {
        const { hrefs, page } = await search(query);
        const hit = hrefs.find((href) => href.startsWith('/reference/api.html#'));
        expect(hit, hrefs.join(', ')).toBeDefined();
        await page.locator(`.VPLocalSearchBox .results a[href="${hit}"]`).click();
        await page.waitForURL(`${server.url}${hit}`);
        const id = hit!.split('#')[1]!;
        const redoc = page.locator(`#${id} ~ p a[href^="/api/index.html#/"]`).first();
        await expect.poll(() => redoc.count()).toBe(1);
        expect(await redoc.getAttribute('href')).toMatch(new RegExp(`^/api/index\\.html#/\\w+/${id}$`));
        await page.close();
      },
    );
  });

  describe('the SDK reference', () => {
    test('one AuthSession page, and the Node entry points at it', async () => {
      expect(existsSync(join(distDir, 'reference/sdk/auth/index/classes/AuthSession.html'))).toBe(true);
      const pages = (await readdir(join(distDir, 'reference/sdk'), { recursive: true })).filter((f) =>
        /(^|\/)AuthSession\.html$/.test(String(f)),
      );
      expect(pages).toEqual(['auth/index/classes/AuthSession.html']);
      const node = await readFile(join(distDir, 'reference/sdk/auth/node/index.html'), 'utf8');
      expect(node).toMatch(/Re-exports <a href="[^"]*index\/classes\/AuthSession(\.html)?"/);
      // fromEnv documented as Node users get it, and what the neutral build does instead.
      const page = await readFile(join(distDir, 'reference/sdk/auth/index/classes/AuthSession.html'), 'utf8');
      expect(page).toContain('In Node');
      expect(page).toContain('In browsers and workers');
    });

    test('no "Inherited from" notes on any page', async () => {
      const files = (await readdir(join(distDir, 'reference/sdk'), { recursive: true })).filter((f) =>
        String(f).endsWith('.html'),
      );
      const noisy = [];
      for (const file of files) {
        if (
          (await readFile(join(distDir, 'reference/sdk', String(file)), 'utf8')).includes('Inherited from')
        ) {
          noisy.push(file);
        }
      }
      expect(noisy).toEqual([]);
    });

    test('the landing table says what each package is, not a status that never changes', async () => {
      const { page } = await visit(context, `${server.url}/reference/sdk/`);
      const headers = await page.locator('.vp-doc table th').allInnerTexts();
      expect(headers).toEqual(['package', 'import', 'what it is']);
      const cells = await page.locator('.vp-doc table tbody tr td:nth-child(3)').allInnerTexts();
      expect(cells).toHaveLength(SDK_PACKAGES.length);
      for (const cell of cells) expect(cell).toMatch(/TestMax/);
      await page.close();
    });
  });
});
