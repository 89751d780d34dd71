import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  AuthSession,
  InvalidCredentialsError,
  NetworkError,
  TokenExpiredError,
} from '../src/index.js';
import { addSecret, guardUnhandledRejections, rejectionOf, showError } from './helpers/capture.js';
import { FakeClock } from './helpers/fake-clock.js';
import {
  closeServersAfterEach,
  DEMO_USER,
  demoSession,
  FAST_RETRY,
  mockServer,
  tokenOf,
} from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

describe('what the server says, mapped to the error a user can act on', () => {
  it('"userName and apiKey are required" says the credentials are missing', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', {
      status: 200,
      body: JSON.stringify({
        success: false,
        errorCode: 3,
        errorMessage: 'userName and apiKey are required',
        token: null,
      }),
    });
    const error = await rejectionOf(demoSession(server).session.authenticate());
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error.message).toMatch(/user name or API key is missing/);
  });

  it.each([
    [403, 'Forbidden', 'check the request and the base URL'],
    [404, 'Not Found', 'check the request and the base URL'],
    [409, 'Conflict', 'check the request and the base URL'],
    [413, 'Payload Too Large', 'check the request and the base URL'],
  ])('HTTP %i → ApiError with the status, not retried', async (status, title, advice) => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Account/search', {
      status,
      contentType: 'application/problem+json',
      body: JSON.stringify({ title, status, detail: `${title} here` }),
    });
    const error = (await rejectionOf(session.accounts())) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(status);
    expect(error.message).toContain(`HTTP ${status} (${title} here)`);
    expect(error.message).toContain(advice);
    expect(server.calls('/Account/search')).toBe(1);
  });

  it('validate refused in the body form (HTTP 200, success: false) is TokenExpiredError', async () => {
    const server = await mockServer({ unauthorizedStyle: 'body' });
    const { session } = demoSession(server);
    await tokenOf(session);
    server.revokeAllTokens();
    const error = await rejectionOf(session.validate());
    expect(error).toBeInstanceOf(TokenExpiredError);
    // The next call logs in again rather than handing out the refused token.
    expect(await session.accounts()).toHaveLength(3);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });
});

describe('a failing fetch never carries a secret into the error', () => {
  it("a custom fetch's error that quotes the request headers is kept only redacted", async () => {
    const server = await mockServer();
    const { session: source } = demoSession(server);
    const token = await tokenOf(source);
    const leaky: typeof fetch = async (_input, init) => {
      const auth = new Headers(init?.headers).get('authorization') ?? '';
      throw new TypeError('request failed', {
        cause: Object.assign(new Error(`ECONNRESET while sending authorization: ${auth}`), {
          code: 'ECONNRESET',
          headers: { authorization: auth },
        }),
      });
    };
    const session = new AuthSession({
      userName: DEMO_USER.userName,
      token,
      baseUrl: server.url,
      fetch: leaky,
      retry: FAST_RETRY,
      logger: false,
    });
    const error = await rejectionOf(session.accounts());
    expect(error).toBeInstanceOf(NetworkError);
    const shown = inspect(error, { depth: 10 });
    expect(shown).not.toContain(token);
    expect(shown).toContain('ECONNRESET');
    expect((error.cause as { code?: string }).code).toBe('ECONNRESET');
  });

  /**
   * Everything a custom fetch's error can hold that `util.inspect` prints: each carries the
   * bearer (and the key, for the login) somewhere a JSON.stringify of the error would miss.
   */
  const HIDING_PLACES: [string, (secret: string, url: string) => unknown][] = [
    [
      'a Headers object',
      (secret) =>
        Object.assign(new Error('boom'), { headers: new Headers({ authorization: `Bearer ${secret}` }) }),
    ],
    [
      'a Request',
      (secret, url) =>
        Object.assign(new Error('boom'), {
          request: new Request(url, { headers: { authorization: `Bearer ${secret}` } }),
        }),
    ],
    ['a Map', (secret) => Object.assign(new Error('boom'), { sent: new Map([['authorization', secret]]) })],
    ['a Set', (secret) => Object.assign(new Error('boom'), { seen: new Set([secret]) })],
    ['an array', (secret) => Object.assign(new Error('boom'), { trail: [1, [2, [3, { token: secret }]]] })],
    [
      'a cause ten levels deep',
      (secret) => {
        let error: Error = Object.assign(new Error('innermost'), { detail: secret });
        for (let i = 0; i < 10; i++) error = new Error(`level ${i}`, { cause: error });
        return error;
      },
    ],
    [
      "AggregateError's errors",
      (secret) =>
        new AggregateError([new Error('a'), Object.assign(new Error('b'), { value: secret })], 'all failed'),
    ],
    [
      'a non-enumerable own property',
      (secret) => Object.defineProperty(new Error('boom'), 'hidden', { value: secret, enumerable: false }),
    ],
    [
      'a symbol-keyed property',
      (secret) => Object.assign(new Error('boom'), { [Symbol('state')]: { secret } }),
    ],
    ['a property name', (secret) => Object.assign(new Error('boom'), { [secret]: true })],
  ];

  it.each(HIDING_PLACES)(
    'a secret in %s of the thrown error: util.inspect (any depth, hidden too) never shows it',
    async (_where, make) => {
      const server = await mockServer();
      const { session: source } = demoSession(server);
      const token = await tokenOf(source);
      const leaky: typeof fetch = async (input) => {
        throw new TypeError('fetch failed', { cause: make(token, String(input)) });
      };
      const session = new AuthSession({
        userName: DEMO_USER.userName,
        token,
        baseUrl: server.url,
        fetch: leaky,
        retry: false,
        logger: false,
      });
      for (const call of [
        () => session.accounts(),
        () => session.fetch('/Order/search', { method: 'POST' }),
      ]) {
        const error = await rejectionOf(call());
        expect(error).toBeInstanceOf(NetworkError);
        const shown = inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true });
        expect(shown).not.toContain(token);
        expect(shown).toContain('fetch failed');
        showError(error);
      }
    },
  );

  it('the key in a failing login is kept out the same way', async () => {
    const server = await mockServer();
    const leaky: typeof fetch = async (_input, init) => {
      throw new TypeError('fetch failed', { cause: new Map([['body', String(init?.body)]]) });
    };
    const session = new AuthSession({
      ...DEMO_USER,
      baseUrl: server.url,
      fetch: leaky,
      retry: false,
      logger: false,
    });
    const error = await rejectionOf(session.authenticate());
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })).not.toContain(
      DEMO_USER.apiKey,
    );
  });

  it('an ordinary network failure keeps its original cause for debugging', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Account/search', { drop: true, times: 5 });
    const error = await rejectionOf(session.accounts());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.cause).toBeInstanceOf(TypeError);
  });
});

describe('an answer too big for memory is the answer, not the network', () => {
  it('a RangeError while reading the body is an ApiError, never retried as a NetworkError', async () => {
    let calls = 0;
    const huge: typeof fetch = async () => {
      calls++;
      // What a runtime throws when a body outgrows what a string or buffer can hold.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"success":'));
          controller.error(new RangeError('Invalid string length'));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const session = new AuthSession({
      ...DEMO_USER,
      baseUrl: 'http://127.0.0.1:1',
      fetch: huge,
      retry: { retries: 3, minDelayMs: 1, maxDelayMs: 2 },
      maxResponseBytes: Number.POSITIVE_INFINITY,
      logger: false,
    });
    const error = await rejectionOf(session.authenticate());
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect(error.message).toContain('a body too large to hold in memory');
    expect(calls).toBe(1);
  });
});

describe('retry.deadline: no wait ends after it', () => {
  it('a Retry-After that would end past the deadline is not waited for; the error says what was asked', async () => {
    const server = await mockServer();
    const { session: source } = demoSession(server);
    const token = await tokenOf(source);
    server.inject('/Account/search', { status: 429, headers: { 'Retry-After': '5' }, times: 3 });
    const session = new AuthSession({
      userName: DEMO_USER.userName,
      token,
      baseUrl: server.url,
      retry: { retries: 3, deadline: Date.now() + 2_000 },
      logger: false,
    });
    const error = await rejectionOf(session.accounts());
    expect(error.name).toBe('RateLimitError');
    expect(error.message).toContain('asked to wait 5 s');
    expect(server.calls('/Account/search')).toBe(1);
  });

  it('a 503 with Retry-After says what the server asked for too', async () => {
    const server = await mockServer();
    server.inject('/Status/ping', { status: 503, headers: { 'Retry-After': '30' }, times: 3 });
    const { ping } = await import('../src/index.js');
    const error = await rejectionOf(
      ping({ baseUrl: server.url, retry: { deadline: Date.now() }, logger: false }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toContain('HTTP 503');
    expect(error.message).toContain('asked to wait 30 s');
    expect(server.calls('/Status/ping')).toBe(1);
  });
});

describe('warnings without a logger', () => {
  it('a failing background refresh is reported on stderr once, redacted, without TESTMAX_DEBUG', async () => {
    vi.stubEnv('TESTMAX_DEBUG', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const debug = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const clock = new FakeClock();
      const server = await mockServer({ now: clock.now, tokenLifetimeSec: 1000 });
      const session = new AuthSession({ ...DEMO_USER, baseUrl: server.url, clock, retry: false });
      addSecret(await session.getSessionToken());
      server.inject('/Auth/validate', { status: 503, body: '{"title":"down","status":503}' });
      clock.advance(800_000);
      addSecret(await session.getSessionToken());
      await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(1), { interval: 2 });
      const line = String(warn.mock.calls[0]?.[0]);
      showError(line);
      expect(line).toMatch(/^\[testmax\] warning: background token refresh failed .*HTTP 503/);
      // Debug lines stay off.
      expect(debug).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      debug.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('logger: false silences warnings too', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const server = await mockServer();
      const session = new AuthSession({ ...DEMO_USER, baseUrl: server.url, logger: false });
      await session.getSessionToken();
      server.inject('/Auth/logout', { drop: true, times: 5 });
      await session[Symbol.asyncDispose]();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
