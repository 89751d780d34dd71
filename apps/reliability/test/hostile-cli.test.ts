import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipBomb, HostileServer, json, redirect, tokenAnswer } from '@testmax/test-support/hostile-server';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CliSandbox } from './helpers/cli.js';
import { jwt } from './helpers/fuzz-server.js';
import { MAX_RSS_KB, rssReportFlags } from './helpers/memory.js';

// The real `testmax` binary against a hostile server: it inherits every rule of the SDK
// (redirects, the size cap, header-safe tokens) and adds its own bound on waiting.

const USER = 'hostile-cli@testmax.local';
const KEY = 'tmx_hostile_cli_key_42d8a0c3e1';
const TOKEN = jwt({ sub: USER, iat: 1_900_000_000, exp: 4_000_000_000 });
const SECRETS = [KEY, TOKEN];
const OK = { success: true, errorCode: 0, errorMessage: null };
/** Exit codes of DESIGN.md. */
const ERROR = 1;
const UNAVAILABLE = 5;
/** A CLI run that takes longer than this hangs: the rules below must answer well before. */
const HANG_MS = 15_000;

let api: HostileServer;
let other: HostileServer;
let sandbox: CliSandbox;

beforeEach(async () => {
  api = await HostileServer.start();
  other = await HostileServer.start();
  sandbox = await CliSandbox.create();
  api.on('/Auth/loginKey', tokenAnswer(TOKEN));
  api.on('/Status/ping', json(OK));
  other.otherwise(json({ ...OK, token: jwt({ sub: 'thief' }) }));
});

afterEach(async () => {
  expect(other.secretsReceived(SECRETS)).toEqual([]);
  await api.close();
  await other.close();
  await sandbox.dispose();
});

async function testmax(args: string[], options: { stdin?: string; nodeFlags?: string[] } = {}) {
  const result = await sandbox.run(
    [...args, '--base-url', api.url],
    {},
    { ...options, killAfterMs: HANG_MS },
  );
  const output = `${result.stdout}\n${result.stderr}`;
  for (const secret of SECRETS) expect(output.includes(secret), 'a secret in the output').toBe(false);
  // One clear line, never a stack trace.
  expect(result.stderr).not.toMatch(/\n\s+at /);
  return result;
}

function login() {
  return testmax(['login', '--username', USER, '--api-key-stdin'], { stdin: KEY });
}

describe('testmax login does not follow a redirect with the key', () => {
  test.each([307, 308] as const)(
    'a %i to another origin: exit 1 naming it, nothing sent there, nothing cached',
    async (status) => {
      api.on('/Auth/loginKey', redirect(`${other.url}/Auth/loginKey`, status));
      const result = await login();
      expect(result.code).toBe(ERROR);
      expect(result.stderr).toContain('redirect');
      expect(result.stderr).toContain(other.url);
      expect(other.requests).toHaveLength(0);
      expect(api.requestsTo('/Auth/loginKey')).toHaveLength(1);
      expect(await sandbox.cachedTokens()).toEqual([]);
    },
  );

  test('a redirect loop: one request, exit 1 (not "network", not 5)', async () => {
    api.on('/Auth/loginKey', redirect('/Auth/loginKey', 307));
    const result = await login();
    expect(result.code).toBe(ERROR);
    expect(api.requestsTo('/Auth/loginKey')).toHaveLength(1);
  });
});

describe('testmax reads at most 8 MiB of an answer', () => {
  test('testmax ping (no credentials needed) against a 400 MB gzip bomb: exit 1, memory bounded', async () => {
    api.on('/Status/ping', gzipBomb(400 * 1024 * 1024));
    const rssFile = join(sandbox.home, 'rss');
    const result = await testmax(['ping'], { nodeFlags: rssReportFlags(rssFile) });
    expect(result.code).toBe(ERROR);
    expect(result.stderr).toContain('more than 8 MiB');
    expect(result.stderr).not.toContain('maxResponseBytes');
    const maxRssKb = Number(readFileSync(rssFile, 'utf8'));
    console.log(`testmax ping against a gzip bomb: RSS high-water mark ${Math.round(maxRssKb / 1024)} MB`);
    expect(maxRssKb).toBeLessThan(MAX_RSS_KB);
  });
});

describe('testmax login never caches a token that cannot be a header', () => {
  test.each([
    ['CR/LF', `${TOKEN}\r\nX-Injected: 1`],
    ['NUL', `${TOKEN}\u0000x`],
    ['non-Latin-1', `${TOKEN}\u0100`],
  ])(
    'a token with %s: exit 1, not quoted, nothing cached, and the next command is not "unexpected"',
    async (_what, bad) => {
      api.on('/Auth/loginKey', tokenAnswer(bad));
      const result = await login();
      expect(result.code).toBe(ERROR);
      expect(result.stderr).toContain('cannot be sent back in an Authorization header');
      expect(result.stderr).not.toContain(TOKEN.slice(0, 16));
      expect(await sandbox.cachedTokens()).toEqual([]);
      const status = await testmax(['status'], {});
      expect(status.stderr).not.toContain('nexpected');
    },
  );
});

describe('testmax waits at most half a minute per command', () => {
  test('Retry-After: 60 on a 429: no wait, exit 5, and the error says what the server asked for', async () => {
    api.on('/Status/ping', json({ title: 'Too Many Requests', status: 429 }, 429, { 'retry-after': '60' }));
    const result = await testmax(['ping']);
    expect(result.code).toBe(UNAVAILABLE);
    expect(result.stderr).toContain('asked to wait 60 s');
    expect(api.requestsTo('/Status/ping')).toHaveLength(1);
  });

  test('Retry-After: 45 on a 503: no wait either, and the error says so', async () => {
    api.on('/Status/ping', json({ title: 'Service Unavailable', status: 503 }, 503, { 'retry-after': '45' }));
    const result = await testmax(['ping']);
    expect(result.code).toBe(UNAVAILABLE);
    expect(result.stderr).toContain('asked to wait 45 s');
    expect(api.requestsTo('/Status/ping')).toHaveLength(1);
  });

  test('a short Retry-After is still honoured within the budget', async () => {
    let calls = 0;
    api.on('/Status/ping', (request, response, body) => {
      calls++;
      const answer =
        calls === 1
          ? json({ title: 'Too Many Requests', status: 429 }, 429, { 'retry-after': '1' })
          : json(OK);
      return answer(request, response, body);
    });
    const result = await testmax(['ping']);
    expect(result.code, result.stderr).toBe(0);
    expect(api.requestsTo('/Status/ping')).toHaveLength(2);
  });
});
