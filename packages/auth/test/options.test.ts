import { describe, expect, it, vi } from 'vitest';
import { AuthSession, ConfigError, ping } from '../src/index.js';
import { guardUnhandledRejections } from './helpers/capture.js';
import { FakeClock } from './helpers/fake-clock.js';
import { closeServersAfterEach, DEMO_USER, mockServer } from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

const base = { userName: 'u@example.com', apiKey: 'k-123456' };

describe('options are checked when the session is made', () => {
  it.each([
    [{ timeoutMs: -1 }, /timeoutMs must be a number ≥ 0, got -1/],
    [{ timeoutMs: Number.NaN }, /timeoutMs/],
    [{ refreshAt: 0 }, /refreshAt must be a number > 0 and ≤ 1, got 0/],
    [{ refreshAt: 1.5 }, /refreshAt/],
    [{ lifecycle: { refreshAt: 0 } }, /refreshAt/],
    [{ lifecycle: { backoff: 0 } }, /lifecycle\.backoff/],
    [{ lifecycle: { expiryMargin: 0.9 } }, /lifecycle\.expiryMargin must be a number ≥ 0 and ≤ 0\.5/],
    [{ lifecycle: { expiryMarginMaxMs: -5 } }, /lifecycle\.expiryMarginMaxMs/],
    [{ lifecycle: { assumedLifetimeMs: 0 } }, /lifecycle\.assumedLifetimeMs/],
    [{ retry: { retries: -3 } }, /retry\.retries must be an integer ≥ 0 and ≤ 20, got -3/],
    [{ retry: { retries: Number.POSITIVE_INFINITY } }, /retry\.retries/],
    [{ retry: { retries: 1.5 } }, /retry\.retries/],
    [{ retry: { minDelayMs: -1 } }, /retry\.minDelayMs/],
    [{ retry: { methods: 'GET' } }, /retry\.methods must be an array/],
    [{ retry: 3 }, /retry must be an object/],
    [{ retry: { deadline: -1 } }, /retry\.deadline must be a number ≥ 0/],
    [{ maxResponseBytes: 0 }, /maxResponseBytes must be an integer ≥ 1, got 0/],
    [{ maxResponseBytes: 1.5 }, /maxResponseBytes/],
  ])('%j is a ConfigError naming the option', (options, message) => {
    const make = () => new AuthSession({ ...base, ...(options as object) });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });

  it('an explicit undefined keeps the default instead of breaking the lifecycle', async () => {
    const clock = new FakeClock();
    const server = await mockServer({ now: clock.now, tokenLifetimeSec: 1000 });
    const session = new AuthSession({
      ...DEMO_USER,
      baseUrl: server.url,
      clock,
      timeoutMs: undefined,
      refreshAt: undefined,
      lifecycle: { expiryMargin: undefined, backoff: undefined },
      retry: { retries: undefined, methods: undefined },
      logger: false,
    });
    for (let i = 0; i < 5; i++) await session.getSessionToken();
    clock.advance(800_000); // the default refreshAt (0.8) is reached: one background refresh
    for (let i = 0; i < 5; i++) await session.getSessionToken();
    await vi.waitFor(() => expect(server.calls('/Auth/validate')).toBe(1), { interval: 2 });
    for (let i = 0; i < 5; i++) await session.getSessionToken();
    expect(server.calls('/Auth/loginKey')).toBe(1);
    // The default retries (3) still apply.
    server.inject('/Account/search', { status: 503, body: '{"title":"busy","status":503}', times: 3 });
    const slowRetry = new AuthSession({
      ...DEMO_USER,
      baseUrl: server.url,
      retry: { retries: undefined, minDelayMs: 1, maxDelayMs: 2 },
      logger: false,
    });
    expect(await slowRetry.accounts()).toHaveLength(3);
    expect(server.calls('/Account/search')).toBe(4);
  });

  it('a timeout longer than a timer can hold means no timeout, not one that fires at once', async () => {
    const server = await mockServer();
    const session = new AuthSession({
      ...DEMO_USER,
      baseUrl: server.url,
      timeoutMs: 30 * 24 * 3_600_000,
      retry: false,
      logger: false,
    });
    expect(await session.accounts()).toHaveLength(3);
  });

  it('a URL object as baseUrl says it must be a string, and how to get one', () => {
    const make = () =>
      new AuthSession({ ...base, baseUrl: new URL('http://127.0.0.1:1/api') as unknown as string });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/baseUrl must be a string .* \(got a URL object; pass its href\)/);
  });

  it.each([
    ['nope', 'a string'],
    [42, 'a number'],
    [{ fetch: 1 }, 'an object'],
  ])('fetch: %j says fetch must be a function, and what it got (%s)', (fetch, what) => {
    const make = () => new AuthSession({ ...base, fetch: fetch as unknown as typeof globalThis.fetch });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(`The option fetch must be a function`);
    expect(make).toThrow(`got ${what}.`);
  });

  it.each([
    ['CR/LF', 'eyJa.eyJb.c\r\nX: 1'],
    ['NUL', 'abc\u0000def'],
    ['non-Latin-1', 'abc\u0100def'],
    ['an inner space', 'abc def'],
  ])('a token option with %s is a ConfigError that does not quote it', (_what, token) => {
    const make = () => new AuthSession({ userName: 'u@example.com', token });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/cannot be sent in an Authorization header/);
    let message = '';
    try {
      make();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toContain('abc');
    expect(message).not.toContain('eyJa');
  });

  it('ping() checks its options the same way', async () => {
    await expect(ping({ timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
  });
});
