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
