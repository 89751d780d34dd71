import { inspect } from 'node:util';
import { ManualClock } from '@testmax/test-support/manual-clock';
import { describe, expect, it } from 'vitest';
import {
  AccountDisabledError,
  AccountNotFoundError,
  ApiError,
  AuthenticationError,
  AuthSession,
  ConfigError,
  InvalidCredentialsError,
  SubscriptionRequiredError,
  TestMaxError,
  TokenExpiredError,
} from '../src/index.js';
import { addSecret, guardUnhandledRejections, rejectionOf, showValue } from './helpers/capture.js';
import {
  closeServersAfterEach,
  DEMO_USER,
  demoSession,
  mockServer,
  observingFetch,
  tokenOf,
} from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

describe('login, validate, logout, accounts against the mock server', () => {
  it('logs in lazily once and hands out the same token until it needs refreshing', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    expect(session.expiresAt).toBeUndefined();
    expect(session.isAuthenticated).toBe(false);
    const first = await tokenOf(session);
    const second = await tokenOf(session);
    expect(second).toBe(first);
    expect(first.split('.')).toHaveLength(3);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(session.isAuthenticated).toBe(true);
    // Default mock lifetime is 24 h; expiresAt is anchored to the local clock at receipt.
    const remaining = (session.expiresAt?.getTime() ?? 0) - Date.now();
    expect(remaining).toBeGreaterThan(23 * 3600_000);
    expect(remaining).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('authenticate() always logs in and replaces the token', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await session.authenticate();
    const first = await tokenOf(session);
    await session.authenticate();
    expect(server.calls('/Auth/loginKey')).toBe(2);
    expect(await tokenOf(session)).not.toBe(first);
  });

  it('validate() keeps a fresh token and reports it was not renewed', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const token = await tokenOf(session);
    const result = await session.validate();
    expect(result.renewed).toBe(false);
    expect(result.expiresAt).toEqual(session.expiresAt);
    expect(await tokenOf(session)).toBe(token);
    expect(server.calls('/Auth/validate')).toBe(1);
  });

  it.each(['token', 'newToken'] as const)('validate() adopts a renewed token sent as %s', async (field) => {
    // A refresh window as long as the lifetime makes the server renew on every validate.
    const clock = new ManualClock();
    const server = await mockServer({
      validateTokenField: field,
      tokenLifetimeSec: 3600,
      refreshWindowSec: 3600,
      now: clock.now,
    });
    const { session } = demoSession(server, { clock });
    const before = await tokenOf(session);
    clock.advance(1000); // the next token gets a later iat, so it differs
    const result = await session.validate();
    expect(result.renewed).toBe(true);
    const after = await tokenOf(session);
    expect(after).not.toBe(before);
    // The renewed token really works for an authenticated call.
    expect((await session.accounts()).length).toBe(3);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('validate() throws TokenExpiredError when the server refuses the token', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.revokeAllTokens();
    const error = await rejectionOf(session.validate());
    expect(error).toBeInstanceOf(TokenExpiredError);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/refused the session token/);
  });

  it('logout() revokes the token, is idempotent, and a later call logs in afresh', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const token = await tokenOf(session);
    expect(await session.logout()).toEqual({ revoked: true });
    expect(await session.logout()).toEqual({ revoked: false });
    expect(server.calls('/Auth/logout')).toBe(1);
    expect(session.expiresAt).toBeUndefined();
    expect(session.isAuthenticated).toBe(false);
    // The revoked token is dead on the server: a session started from it cannot use it.
    const stale = new AuthSession({
      userName: DEMO_USER.userName,
      token,
      baseUrl: server.url,
      logger: false,
    });
    expect(await rejectionOf(stale.accounts())).toBeInstanceOf(TokenExpiredError);
    const next = await tokenOf(session);
    expect(next).not.toBe(token);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('logout() before any login sends nothing', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    expect(await session.logout()).toEqual({ revoked: false });
    expect(server.calls()).toBe(0);
  });

  it('logout() of a token the server already refuses succeeds but says it revoked nothing', async () => {
    for (const unauthorizedStyle of ['status', 'body'] as const) {
      const server = await mockServer({ unauthorizedStyle });
      const { session } = demoSession(server);
      await tokenOf(session);
      server.revokeAllTokens();
      expect(await session.logout()).toEqual({ revoked: false });
      expect(server.calls('/Auth/logout')).toBe(1);
      expect(session.isAuthenticated).toBe(false);
    }
  });

  it('await using logs out at the end of the block', async () => {
    const server = await mockServer();
    {
      await using session = demoSession(server).session;
      await tokenOf(session);
    }
    expect(server.calls('/Auth/logout')).toBe(1);
  });

  it('dispose does not throw when the logout request fails, and the token is dropped anyway', async () => {
    const server = await mockServer();
    const { session, logger } = demoSession(server, { retry: false });
    await tokenOf(session);
    server.inject('/Auth/logout', { drop: true });
    await expect(session[Symbol.asyncDispose]()).resolves.toBeUndefined();
    expect(session.isAuthenticated).toBe(false);
    expect(logger.lines.some((l) => l.startsWith('warn logout during dispose failed'))).toBe(true);
  });

  it('accounts() lists all accounts, or only active ones', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const all = await session.accounts();
    expect(all.map((a) => a.name)).toEqual(['SIM-50K-01', 'SIM-150K-02', 'PRAC-100K-03']);
    const active = await session.accounts({ onlyActive: true });
    expect(active.every((a) => a.canTrade)).toBe(true);
    expect(active).toHaveLength(2);
  });

  it('accountInfo is the first active account by default, or the one named', async () => {
    const server = await mockServer();
    expect((await demoSession(server).session.accountInfo).name).toBe('SIM-50K-01');
    const named = demoSession(server, { accountName: 'PRAC-100K-03' }).session;
    expect(await named.accountInfo).toMatchObject({ id: 7003, name: 'PRAC-100K-03' });
    // Remembered: a second read does not ask the server again.
    const before = server.calls('/Account/search');
    await named.accountInfo;
    expect(server.calls('/Account/search')).toBe(before);
  });

  it('an unknown account name is an error that lists the available names', async () => {
    const server = await mockServer();
    const { session } = demoSession(server, { accountName: 'NOPE-1' });
    const error = (await rejectionOf(session.accountInfo)) as AccountNotFoundError;
    expect(error).toBeInstanceOf(AccountNotFoundError);
    expect(error).toBeInstanceOf(TestMaxError);
    expect(error.message).toContain('"NOPE-1"');
    expect(error.message).toContain('SIM-50K-01, SIM-150K-02, PRAC-100K-03');
    expect(error.available).toEqual(['SIM-50K-01', 'SIM-150K-02', 'PRAC-100K-03']);
  });

  it('a user with no active account gets a clear error from accountInfo', async () => {
    const server = await mockServer();
    server.setUser({ ...DEMO_USER, accounts: [{ id: 1, name: 'OFF-1', balance: 0, canTrade: false }] });
    const error = await rejectionOf(demoSession(server).session.accountInfo);
    expect(error).toBeInstanceOf(AccountNotFoundError);
    expect(error.message).toMatch(/no account that can trade.*OFF-1/);
  });

  it('starts from a previously issued token without logging in', async () => {
    const server = await mockServer();
    const token = await tokenOf(demoSession(server).session);
    const cached = new AuthSession({
      userName: DEMO_USER.userName,
      token,
      baseUrl: server.url,
      logger: false,
    });
    expect(cached.isAuthenticated).toBe(true);
    expect(cached.expiresAt?.getTime()).toBeGreaterThan(Date.now());
    expect(await cached.accounts()).toHaveLength(3);
    expect(await cached.getSessionToken()).toBe(token);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('a refused cached token is replaced by a login when the key is known', async () => {
    const server = await mockServer();
    const token = await tokenOf(demoSession(server).session);
    server.revokeAllTokens();
    const { session } = demoSession(server, { token });
    expect(await session.accounts()).toHaveLength(3);
    expect(server.calls('/Auth/loginKey')).toBe(2);
    expect(await tokenOf(session)).not.toBe(token);
  });

  it('an opaque (non-JWT) token is assumed to last 24 h and replaced after a 401', async () => {
    const server = await mockServer();
    const { session } = demoSession(server, { token: 'opaque-session-token-123' });
    addSecret('opaque-session-token-123');
    const hours = ((session.expiresAt?.getTime() ?? 0) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    expect(await session.accounts()).toHaveLength(3);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('never shows the key or token through inspect, JSON or String', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const token = await tokenOf(session);
    for (const text of [
      inspect(session, { depth: 10, showHidden: true }),
      JSON.stringify(session),
      String(session),
    ]) {
      showValue(text);
      expect(text).not.toContain(DEMO_USER.apiKey);
      expect(text).not.toContain(token);
    }
    expect(JSON.parse(JSON.stringify(session))).toMatchObject({ apiKey: '[REDACTED]', token: '[REDACTED]' });
  });
});

describe('login errors, mapped from the body and never retried', () => {
  it('unknown user → InvalidCredentialsError with errorCode 1', async () => {
    const server = await mockServer();
    const { session } = demoSession(server, { userName: 'nobody@example.com' });
    const error = (await rejectionOf(session.authenticate())) as InvalidCredentialsError;
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.errorCode).toBe(1);
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.message).toMatch(/rejected the user name or API key.*TESTMAX_API_KEY/);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('wrong key → InvalidCredentialsError with errorCode 3, one request only', async () => {
    const server = await mockServer();
    const { session } = demoSession(server, { apiKey: 'tmx_wrong_key_for_the_test' });
    addSecret('tmx_wrong_key_for_the_test');
    const error = (await rejectionOf(session.getSessionToken())) as InvalidCredentialsError;
    expect(error).toBeInstanceOf(InvalidCredentialsError);
    expect(error.errorCode).toBe(3);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    // Not cached: the next call tries again.
    await rejectionOf(session.getSessionToken());
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('disabled account → AccountDisabledError', async () => {
    const server = await mockServer();
    server.setUser({ ...DEMO_USER, disabled: true });
    const error = await rejectionOf(demoSession(server).session.authenticate());
    expect(error).toBeInstanceOf(AccountDisabledError);
    expect(error.message).toMatch(/disabled.*contact TestMax support/);
  });

  it('no subscription → SubscriptionRequiredError with errorCode 9', async () => {
    const server = await mockServer();
    server.setUser({ ...DEMO_USER, subscribed: false });
    const error = (await rejectionOf(
      demoSession(server).session.authenticate(),
    )) as SubscriptionRequiredError;
    expect(error).toBeInstanceOf(SubscriptionRequiredError);
    expect(error.errorCode).toBe(9);
  });

  it('errorCode 99 on HTTP 200 → ApiError carrying code and status', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', {
      status: 200,
      body: JSON.stringify({ success: false, errorCode: 99, errorMessage: 'Internal error', token: null }),
    });
    const error = (await rejectionOf(demoSession(server).session.authenticate())) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.errorCode).toBe(99);
    expect(error.status).toBe(200);
    expect(error.message).toContain('error 99: Internal error');
  });

  it('a 400 problem document → ApiError naming the server detail', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', {
      status: 400,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        title: 'Bad Request',
        status: 400,
        detail: 'The field userName must be a string.',
      }),
    });
    const error = (await rejectionOf(demoSession(server).session.authenticate())) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.message).toContain('The field userName must be a string');
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('a key-less session cannot log in and says so', async () => {
    const server = await mockServer();
    const session = new AuthSession({ userName: DEMO_USER.userName, token: 'x.y.z', baseUrl: server.url });
    expect(await rejectionOf(session.authenticate())).toBeInstanceOf(TokenExpiredError);
  });
});

describe('construction', () => {
  it('refuses missing credentials and insecure base URLs with ConfigError', () => {
    expect(() => new AuthSession({ userName: '', apiKey: 'k' })).toThrow(ConfigError);
    expect(() => new AuthSession({ userName: 'u@x', apiKey: '  ' })).toThrow(/needs an apiKey/);
    for (const options of [{ userName: '', apiKey: 'k' }, { userName: 'u@x' }]) {
      let thrown: unknown;
      try {
        new AuthSession(options);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).reason).toBe('missing');
    }
    expect(
      () => new AuthSession({ userName: 'u@x', apiKey: 'k', baseUrl: 'http://api.example.com' }),
    ).toThrow(/plain http:\/\/.*api\.example\.com/);
    expect(() => new AuthSession({ userName: 'u@x', apiKey: 'k', refreshAt: 1.5 })).toThrow(/refreshAt/);
    for (const url of [
      'http://localhost:1/api',
      'http://127.0.0.2:9',
      'http://[::1]:8080',
      'https://example.com/',
    ]) {
      expect(new AuthSession({ userName: 'u@x', apiKey: 'k', baseUrl: url }).baseUrl).toBe(
        url.replace(/\/$/, ''),
      );
    }
  });

  it('the neutral fromEnv points at the Node entry', async () => {
    // What AuthSession.fromEnv() runs where the `node` export condition does not apply.
    const { loadSessionCredentials } = await import('../src/platform/neutral.js');
    expect(() => loadSessionCredentials({})).toThrow(/@testmax\/auth\/node/);
  });

  it('observingFetch helper passes responses through untouched', async () => {
    const server = await mockServer();
    const response = await observingFetch(`${server.url}/Status/ping`);
    expect(await response.json()).toEqual({ success: true, errorCode: 0, errorMessage: null });
  });
});
