import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthSession } from '../src/index.js';
import {
  addSecret,
  findLeaks,
  guardUnhandledRejections,
  rejectionOf,
  secrets,
  showError,
  shown,
  showValue,
} from './helpers/capture.js';
import {
  closeServersAfterEach,
  DEMO_USER,
  FAST_RETRY,
  mockServer,
  observingFetch,
  tokenOf,
} from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

// Debug logging through TESTMAX_DEBUG=1 goes to stderr via console.error: capture it all.
const stderr: string[] = [];
let spy: ReturnType<typeof vi.spyOn>;
beforeAll(() => {
  process.env.TESTMAX_DEBUG = '1';
  spy = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    const line = args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' ');
    stderr.push(line);
    shown.push(line);
  });
});
afterAll(() => {
  delete process.env.TESTMAX_DEBUG;
  spy.mockRestore();
});

function session(
  baseUrl: string,
  extra: Partial<ConstructorParameters<typeof AuthSession>[0]> = {},
): AuthSession {
  addSecret(DEMO_USER.apiKey);
  return new AuthSession({
    userName: DEMO_USER.userName,
    apiKey: DEMO_USER.apiKey,
    baseUrl,
    retry: FAST_RETRY,
    fetch: observingFetch,
    ...extra,
  });
}

describe('no key or token in any output', () => {
  it('debug logging shows method, path, status, attempt and timing, and no secret', async () => {
    const server = await mockServer({ tokenLifetimeSec: 3600, refreshWindowSec: 3600 });
    const s = session(server.url);
    await tokenOf(s);
    await s.validate();
    await s.accounts();
    server.revokeAllTokens();
    await s.accounts();
    await s.fetch('/Status/ping');
    server.inject('/Account/search', { status: 503, body: '{}' });
    await s.client.POST('/Account/search', { body: {} });
    await tokenOf(s);
    showValue(s);
    await s.logout();
    expect(stderr.some((l) => /^\[testmax\] POST \/Auth\/loginKey 200 attempt=1 \d+ms$/.test(l))).toBe(true);
    expect(stderr.some((l) => /POST \/Account\/search 503 attempt=1 \d+ms retry in \d+ms/.test(l))).toBe(
      true,
    );
    expect(stderr.some((l) => l.includes('POST /Account/search 401 attempt=1'))).toBe(true);
    expect(secrets.size).toBeGreaterThanOrEqual(3);
    expect(findLeaks()).toEqual([]);
  });

  it('a server that echoes the key and a token in its error message is redacted', async () => {
    const server = await mockServer();
    const other = session(server.url);
    const token = await tokenOf(other);
    server.inject('/Auth/loginKey', {
      status: 200,
      body: JSON.stringify({
        success: false,
        errorCode: 3,
        errorMessage: `Invalid key ${DEMO_USER.apiKey} for ${token}`,
      }),
    });
    const error = await rejectionOf(session(server.url).authenticate());
    expect(error.message).toContain('Invalid key [REDACTED] for [REDACTED]');
    server.inject('/Auth/loginKey', {
      status: 400,
      body: JSON.stringify({ title: 'Bad Request', detail: `bad apiKey ${DEMO_USER.apiKey}` }),
    });
    expect((await rejectionOf(session(server.url).authenticate())).message).toContain(
      'bad apiKey [REDACTED]',
    );
  });

  it('errors of every kind, inspected deeply with causes and stacks, hold no secret', async () => {
    const server = await mockServer();
    const wrongKey = 'tmx_wrong_key_leak_test_999';
    addSecret(wrongKey);
    const errors: unknown[] = [];
    errors.push(await rejectionOf(session(server.url, { apiKey: wrongKey }).authenticate()));
    const s = session(server.url, { timeoutMs: 100 });
    await tokenOf(s);
    for (const fault of [
      { status: 200, body: '{"success": tr' },
      { status: 502, body: '<html>gateway</html>', contentType: 'text/html', times: 3 },
      { drop: true, times: 3 },
      { delayMs: 1000, times: 3 },
      { status: 429, headers: { 'Retry-After': '999' }, body: '{}' },
      { status: 200, body: '{"success":false,"errorCode":99,"errorMessage":"Internal error"}' },
    ]) {
      server.inject('/Account/search', fault);
      errors.push(await rejectionOf(s.accounts()));
    }
    server.inject('/Account/search', { status: 401, body: '', times: 2 });
    errors.push(await rejectionOf(s.accounts()));
    for (const error of errors) {
      shown.push(inspect(error, { depth: 10, showHidden: true }), (error as Error).stack ?? '');
      showError((error as Error).cause);
    }
    expect(new Set(errors.map((e) => (e as Error).name))).toEqual(
      new Set([
        'InvalidCredentialsError',
        'ApiError',
        'NetworkError',
        'TimeoutError',
        'RateLimitError',
        'TokenExpiredError',
      ]),
    );
    expect(findLeaks()).toEqual([]);
  });
});
