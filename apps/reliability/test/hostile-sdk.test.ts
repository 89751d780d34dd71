import { inspect } from 'node:util';
import {
  AccountNotFoundError,
  ApiError,
  AuthSession,
  type AuthSessionOptions,
  MAX_REDIRECTS,
  NetworkError,
  ping,
  TestMaxError,
  TimeoutError,
} from '@testmax/auth';
import { createClient } from '@testmax/client';
import { trackUnhandledRejections } from '@testmax/test-support/guards';
import {
  type Attack,
  gzipBomb,
  HostileServer,
  hugeBody,
  json,
  redirect,
  tokenAnswer,
} from '@testmax/test-support/hostile-server';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { jwt } from './helpers/fuzz-server.js';
import { MAX_RSS_KB, runInChild } from './helpers/memory.js';

// The SDK against a server that attacks it: each case asserts the documented outcome, that the
// other origin received nothing secret, and that no secret is in anything the SDK produced.

const USER = 'hostile@testmax.local';
const KEY = 'tmx_hostile_suite_key_7c1e99d04b';
const TOKEN = jwt({ sub: USER, iat: 1_900_000_000, exp: 4_000_000_000 });
const SECRETS = [KEY, TOKEN];
/** TEST-NET-1: an address off loopback that nothing may ever be sent to in clear. */
const OFF_LOOPBACK = 'http://192.0.2.1:8080';
const OK = { success: true, errorCode: 0, errorMessage: null };

const unhandled = trackUnhandledRejections();
let api: HostileServer;
let other: HostileServer;

beforeEach(async () => {
  api = await HostileServer.start();
  other = await HostileServer.start();
  // A well-behaved API unless a test says otherwise, so every call gets as far as its attack.
  api.on('/Auth/loginKey', tokenAnswer(TOKEN));
  api.on('/Auth/validate', tokenAnswer(TOKEN));
  api.on('/Auth/logout', json(OK));
  api.on('/Status/ping', json(OK));
  api.on(
    '/Account/search',
    json({ ...OK, accounts: [{ id: 1, name: 'SIM-1', balance: 1, canTrade: true }] }),
  );
  other.otherwise(json({ ...OK, token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0aGllZiJ9.c3RvbGVu' }));
});

afterEach(async () => {
  // Nothing secret ever reached the other origin, whatever the case was about.
  expect(other.secretsReceived(SECRETS)).toEqual([]);
  expect(unhandled.take()).toEqual([]);
  await api.close();
  await other.close();
});

function session(options: Partial<AuthSessionOptions> = {}): AuthSession {
  return new AuthSession({
    userName: USER,
    apiKey: KEY,
    baseUrl: api.url,
    timeoutMs: 5_000,
    retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5 },
    logger: false,
    ...options,
  });
}

/** Every way a user could print an error, none of which may show a secret. */
function expectNoSecretIn(error: unknown): void {
  const shown = [
    String(error),
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    JSON.stringify(error),
  ].join('\n');
  for (const secret of SECRETS) expect(shown.includes(secret), 'a secret in the error').toBe(false);
}

async function failure(promise: Promise<unknown>): Promise<TestMaxError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TestMaxError);
  expectNoSecretIn(error);
  return error as TestMaxError;
}

/** A redirect error: a TestMaxError that names where it pointed, and not a network failure. */
function expectRedirectError(error: TestMaxError, origin: string): void {
  expect(error).toBeInstanceOf(ApiError);
  expect(error).not.toBeInstanceOf(NetworkError);
  expect(error).not.toBeInstanceOf(TimeoutError);
  expect(error.message).toContain('redirect');
  expect(error.message).toContain(origin);
}

describe('redirects: the key and the bearer never leave the API origin', () => {
  test.each([307, 308] as const)(
    'a %i on Auth/loginKey to another origin is refused; the key stays home',
    async (status) => {
      api.on('/Auth/loginKey', redirect(`${other.url}/Auth/loginKey`, status));
      const s = session();
      expectRedirectError(await failure(s.authenticate()), other.url);
      expect(api.requestsTo('/Auth/loginKey')).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
      expect(s.isAuthenticated).toBe(false);
    },
  );

  test('a 308 on Auth/loginKey to plain http:// off loopback is refused before any connection', async () => {
    api.on('/Auth/loginKey', redirect(`${OFF_LOOPBACK}/Auth/loginKey`, 308));
    expectRedirectError(await failure(session().authenticate()), OFF_LOOPBACK);
  });

  test('a redirect loop on Auth/loginKey is one attempt and one clear error, however many retries', async () => {
    api.on('/Auth/loginKey', redirect('/Auth/loginKey', 307));
    const error = await failure(
      session({ retry: { retries: 5, minDelayMs: 1, maxDelayMs: 2 } }).authenticate(),
    );
    expectRedirectError(error, api.url);
    expect(api.requestsTo('/Auth/loginKey')).toHaveLength(1);
  });

  test.each([
    ['validate', '/Auth/validate', (s: AuthSession) => s.validate()],
    ['logout', '/Auth/logout', async (s: AuthSession) => s.logout()],
    ['accounts', '/Account/search', (s: AuthSession) => s.accounts()],
  ] as const)(
    '%s redirected to another origin: refused, the bearer stays home',
    async (_name, path, call) => {
      const s = session();
      await s.authenticate();
      api.on(path, redirect(`${other.url}${path}`, 307));
      expectRedirectError(await failure(call(s)), other.url);
      expect(other.requests).toHaveLength(0);
    },
  );

  test('ping() redirected is an error too (it is not the API answering)', async () => {
    api.on('/Status/ping', redirect(`${other.url}/Status/ping`, 302));
    expectRedirectError(await failure(ping({ baseUrl: api.url, logger: false })), other.url);
  });

  test.each([
    ['another origin', () => `${other.url}/Order/search`, () => other.url],
    ['plain http:// off loopback', () => `${OFF_LOOPBACK}/Order/search`, () => OFF_LOOPBACK],
  ])(
    'session.fetch redirected to %s: refused, the bearer never sent there',
    async (_what, target, origin) => {
      api.on('/Order/search', redirect(target(), 307));
      const s = session();
      expectRedirectError(await failure(s.fetch('/Order/search', { method: 'POST', body: '{}' })), origin());
      expect(api.requestsTo('/Order/search')[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(other.requests).toHaveLength(0);
    },
  );

  test('session.fetch follows a redirect within the API, with the bearer, and says it was redirected', async () => {
    api.on('/Order/old', redirect('/Order/new', 308));
    api.on('/Order/new', json({ ...OK, moved: true }));
    const response = await session().fetch('/Order/old', { method: 'POST', body: '{"id":1}' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ moved: true });
    expect(response.redirected).toBe(true);
    const [followed] = api.requestsTo('/Order/new');
    expect(followed?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // 308 keeps the method and the body.
    expect(followed?.method).toBe('POST');
    expect(followed?.body).toBe('{"id":1}');
  });

  test('session.fetch does not follow a redirect off the API base path, even on the same origin', async () => {
    const s = session({ baseUrl: `${api.url}/api`, token: TOKEN });
    api.on('/api/Order/x', redirect('/admin/steal', 307));
    expectRedirectError(await failure(s.fetch('/Order/x')), api.url);
    expect(api.requestsTo('/admin/steal')).toHaveLength(0);
  });

  test("session.fetch with redirect: 'manual' gets the redirect itself, followed by nobody", async () => {
    api.on('/Order/search', redirect(`${other.url}/Order/search`, 307));
    const response = await session().fetch('/Order/search', { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(`${other.url}/Order/search`);
    expect(other.requests).toHaveLength(0);
  });

  test('a redirect loop within the API stops after a few hops with a clear error, never retried', async () => {
    api.on('/Order/loop', redirect('/Order/loop', 307));
    const error = await failure(session().fetch('/Order/loop'));
    expectRedirectError(error, api.url);
    expect(error.message).toContain('redirect loop');
    expect(api.requestsTo('/Order/loop')).toHaveLength(MAX_REDIRECTS + 1);
  });

  test("session.client (the typed API, the SDK's own calls) follows no redirect at all, even within the API", async () => {
    const s = session();
    api.on('/Account/search', redirect(`${other.url}/Account/search`, 307));
    expectRedirectError(await failure(s.client.POST('/Account/search', { body: {} })), other.url);
    api.on('/Account/search', redirect('/Account/search2', 308));
    api.on('/Account/search2', json({ ...OK, accounts: [] }));
    expectRedirectError(await failure(s.client.POST('/Account/search', { body: {} })), api.url);
    expect(api.requestsTo('/Account/search2')).toHaveLength(0);
  });

  test('session.middleware on your own client: refused off the API, followed within it', async () => {
    const s = session();
    const client = createClient({ baseUrl: api.url });
    client.use(s.middleware);
    api.on('/Account/search', redirect(`${other.url}/Account/search`, 307));
    expectRedirectError(await failure(client.POST('/Account/search', { body: {} })), other.url);
    api.on('/Account/search', redirect('/Account/search2', 307));
    api.on('/Account/search2', json({ ...OK, accounts: [] }));
    const { data } = await client.POST('/Account/search', { body: {} });
    expect(data?.accounts).toEqual([]);
    expect(api.requestsTo('/Account/search2')[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('a login body sent through session.fetch is not carried off by a redirect either', async () => {
    api.on('/Auth/loginKey', redirect(`${other.url}/Auth/loginKey`, 307));
    const body = JSON.stringify({ userName: USER, apiKey: KEY });
    expectRedirectError(
      await failure(session().fetch('/Auth/loginKey', { method: 'POST', body })),
      other.url,
    );
  });
});

describe('answers too big: capped after decompression, connection closed, memory bounded', () => {
  const MIB = 1024 * 1024;
  // Each runs in a child process, which reports its RSS high-water mark.
  test.each([
    ['ping(): a 400 MB gzip bomb', 'ping', '/Status/ping', gzipBomb(400 * MIB)],
    ['session.fetch: a 400 MB gzip bomb', 'fetch', '/History/retrieveBars', gzipBomb(400 * MIB)],
    ['session.fetch: a 200 MB body', 'fetch', '/History/retrieveBars', hugeBody(200 * MIB)],
    [
      'session.fetch: a 200 MB body with its content-length',
      'fetch',
      '/History/retrieveBars',
      hugeBody(200 * MIB, { contentLength: true }),
    ],
    [
      'login: an endless chunked body, and no timeout',
      'login',
      '/Auth/loginKey',
      hugeBody(Number.POSITIVE_INFINITY),
    ],
  ] as [string, 'ping' | 'fetch' | 'login', string, Attack][])(
    '%s → ApiError',
    async (label, mode, path, attack) => {
      api.on(path, attack);
      const run = await runInChild(mode, api.url, { MEMORY_TOKEN: TOKEN, MEMORY_KEY: KEY });
      expect(run.outcome, run.stderr).toMatchObject({
        ok: false,
        name: 'ApiError',
        code: 'API_ERROR',
        status: 200,
      });
      expect(run.outcome.message).toContain('maxResponseBytes (8 MiB)');
      console.log(`${label}: RSS high-water mark ${Math.round(run.maxRssKb / 1024)} MB`);
      expect(run.maxRssKb).toBeLessThan(MAX_RSS_KB);
      for (const secret of SECRETS) expect(`${run.outcome.message}${run.stderr}`).not.toContain(secret);
      // The SDK hung up rather than draining the rest.
      await expect.poll(() => api.requestsTo(path)[0]?.cutShort).toBe(true);
    },
  );

  test('maxResponseBytes is the limit: one byte over is an ApiError, the limit itself is read', async () => {
    api.on('/Data/at', hugeBody(4096));
    api.on('/Data/over', hugeBody(4097));
    const s = session({ token: TOKEN, maxResponseBytes: 4096 });
    expect((await (await s.fetch('/Data/at')).arrayBuffer()).byteLength).toBe(4096);
    const error = await failure(s.fetch('/Data/over'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toContain('maxResponseBytes (4 KiB)');
    // Too big is too big: not retried.
    expect(api.requestsTo('/Data/over')).toHaveLength(1);
  });
});

describe('headers too big for Node to read', () => {
  test('an answer with 64 KiB of headers is an ApiError saying so, sent once, not "could not reach"', async () => {
    api.on('/Account/search', (_request, response) => {
      response.setHeader('x-padding', 'x'.repeat(64 * 1024));
      response.end('{}');
    });
    const error = await failure(session({ token: TOKEN }).accounts());
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/headers larger than/);
    expect(error.message).not.toMatch(/Could not reach/);
    // The server did answer: repeating the request would meet the same headers.
    expect(api.requestsTo('/Account/search')).toHaveLength(1);
  });
});

describe('tokens that cannot be sent back as a header are refused at receipt, never quoted', () => {
  const UNSENDABLE = {
    'CR/LF': `${TOKEN}\r\nX-Injected: 1`,
    NUL: `${TOKEN}\u0000`,
    'non-Latin-1': `${TOKEN}\u0100`,
    'Latin-1 beyond ASCII': `${TOKEN}\u00e9`,
    'a control character': `${TOKEN}\u0007`,
    'an inner space': `${TOKEN.slice(0, 20)} ${TOKEN.slice(20)}`,
  };

  test.each(Object.entries(UNSENDABLE))(
    'login answering a token with %s: ApiError, nothing kept',
    async (_what, bad) => {
      api.on('/Auth/loginKey', tokenAnswer(bad));
      const s = session();
      const error = await failure(s.authenticate());
      expect(error).toBeInstanceOf(ApiError);
      expect(error).not.toBeInstanceOf(NetworkError);
      expect(error.message).toContain('cannot be sent back in an Authorization header');
      expect(error.message).not.toContain(TOKEN.slice(0, 16));
      expect(s.isAuthenticated).toBe(false);
      // Not retried: the same answer would come back.
      expect(api.requestsTo('/Auth/loginKey')).toHaveLength(1);
    },
  );

  test('validate answering one: ApiError, and the session keeps the token it had', async () => {
    const s = session();
    await s.authenticate();
    api.on('/Auth/validate', json({ ...OK, newToken: `${TOKEN}\r\nX-Injected: 1` }));
    const error = await failure(s.validate());
    expect(error.message).toContain('POST /Auth/validate');
    await s.accounts();
    expect(api.requestsTo('/Account/search')[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
});

describe('what the server says is shown redacted', () => {
  test('AccountNotFoundError lists server-supplied account names without the key or token in them', async () => {
    const names = [`leak ${KEY}`, `Bearer ${TOKEN}`, 'evil\u001b[2Jname', 'SIM-2'];
    api.on(
      '/Account/search',
      json({ ...OK, accounts: names.map((name, id) => ({ id, name, balance: 0, canTrade: false })) }),
    );
    const s = session({ accountName: 'missing' });
    const error = await failure(s.accountInfo);
    expect(error).toBeInstanceOf(AccountNotFoundError);
    expect(error.message).toContain('SIM-2');
    expect(error.message).not.toContain('\u001b');
    expect((error as AccountNotFoundError).available).toHaveLength(4);
  });
});
