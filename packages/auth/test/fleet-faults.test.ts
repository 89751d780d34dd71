import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFleet, startFleetWorker } from '@testmax/test-support/fleet-processes';
import { ManualClock } from '@testmax/test-support/manual-clock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthSession, memoryTokenStore, StoreError, type TokenStore } from '../src/index.js';
import { fileTokenStore } from '../src/node.js';
import { guardUnhandledRejections, recordingLogger } from './helpers/capture.js';
import {
  closeServersAfterEach,
  DEMO_USER,
  demoSession,
  FAST_RETRY,
  mockServer,
  observingFetch,
  tokenOf,
} from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

const storeWarnings = (lines: string[]) =>
  lines.filter((l) => l.startsWith('warn') && l.includes('token store'));

/** A store whose every call fails (Redis refusing connections), counting the calls. */
function failingStore(): TokenStore & { calls: number } {
  const fail = () => {
    store.calls++;
    return Promise.reject(new StoreError('connection refused'));
  };
  const store = { calls: 0, get: fail, compareAndSet: fail, delete: fail, tryLock: fail };
  return store;
}

describe('a token store that fails never stops the API', () => {
  it('a store refusing every call: the session uses a token of its own and warns once', async () => {
    const server = await mockServer();
    const store = failingStore();
    const { session, logger } = demoSession(server, { store });
    for (let i = 0; i < 10; i++) expect(await session.accounts()).toHaveLength(3);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(storeWarnings(logger.lines)).toHaveLength(1);
    // Tried once, then left alone for its back-off: not once per call.
    expect(store.calls).toBe(1);
  });

  it('a store that never answers is waited on for at most the request timeout', async () => {
    const server = await mockServer();
    const hung = new Promise<never>(() => {});
    const store: TokenStore = {
      get: () => hung,
      compareAndSet: () => hung,
      delete: () => hung,
      tryLock: () => hung,
    };
    const asked: number[] = [];
    const clock = {
      now: () => Date.now(),
      setTimeout: (callback: () => void, ms: number) => {
        asked.push(ms);
        return setTimeout(callback, ms);
      },
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const { session, logger } = demoSession(server, { store, clock, timeoutMs: 300 });
    expect(await session.accounts()).toHaveLength(3);
    expect(asked).toContain(300);
    expect(Math.max(...asked)).toBeLessThanOrEqual(300);
    expect(storeWarnings(logger.lines)).toHaveLength(1);
    expect(storeWarnings(logger.lines)[0]).toContain('no answer within 300 ms');
  });

  it('a store that comes back is used again after its back-off: the token is shared again', async () => {
    const clock = new ManualClock();
    const server = await mockServer({ now: clock.now, tokenLifetimeSec: 1000 });
    const working = memoryTokenStore();
    let down = true;
    const store: TokenStore = {
      get: (scope) => (down ? Promise.reject(new StoreError('down')) : working.get(scope)),
      compareAndSet: (...args) =>
        down ? Promise.reject(new StoreError('down')) : working.compareAndSet(...args),
      delete: (...args) => (down ? Promise.reject(new StoreError('down')) : working.delete(...args)),
      tryLock: (...args) => (down ? Promise.reject(new StoreError('down')) : working.tryLock(...args)),
    };
    const { session, logger } = demoSession(server, { store, clock });
    await tokenOf(session);
    expect(await working.get({ baseUrl: server.url, userName: DEMO_USER.userName })).toBeUndefined();
    down = false;
    clock.advance(800_000); // past the store's back-off and the token's refresh point
    await tokenOf(session);
    await vi.waitFor(() => expect(logger.lines.some((l) => l.includes('refresh: renewed'))).toBe(true), {
      interval: 2,
    });
    const shared = await working.get({ baseUrl: server.url, userName: DEMO_USER.userName });
    expect(shared?.token).toBe(await tokenOf(session));
    // A second session on the store now gets that token, without a login of its own.
    const other = new AuthSession({
      ...DEMO_USER,
      baseUrl: server.url,
      store: working,
      clock,
      logger: false,
    });
    expect(await other.getSessionToken()).toBe(shared?.token);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(storeWarnings(logger.lines)).toHaveLength(1);
  });
});

describe('processes sharing a fileTokenStore', () => {
  const authEntry = createRequire(import.meta.url).resolve('@testmax/auth/node');
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'testmax-fleet-proc-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const worker = (baseUrl: string, task: Record<string, unknown>, session: Record<string, unknown> = {}) => ({
    auth: authEntry,
    store: { module: authEntry, export: 'fileTokenStore', options: { path: dir } },
    session: { ...DEMO_USER, baseUrl, ...session },
    task,
  });

  it('4 processes × 50 callers, cold: exactly one login, one token', async () => {
    const server = await mockServer();
    const results = await runFleet(
      Array.from({ length: 4 }, () => worker(server.url, { kind: 'tokens', callers: 50 })),
    );
    expect(results.map((r) => r.failures)).toEqual([[], [], [], []]);
    expect(new Set(results.flatMap((r) => r.tokens)).size).toBe(1);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('a process killed in the middle of its login: another takes over after the lock TTL', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { delayMs: 30_000 });
    const holder = startFleetWorker(worker(server.url, { kind: 'login' }, { timeoutMs: 800 }));
    await vi.waitFor(() => expect(server.calls('/Auth/loginKey')).toBe(1), { timeout: 15_000, interval: 10 });
    holder.child.kill('SIGKILL');
    await holder.result.catch(() => {});
    const store = fileTokenStore({ path: dir, onWarning: () => {} });
    const session = new AuthSession({
      ...DEMO_USER,
      baseUrl: server.url,
      store,
      timeoutMs: 800,
      logger: false,
    });
    const token = await session.getSessionToken();
    expect(token.split('.')).toHaveLength(3);
    expect(server.calls('/Auth/loginKey')).toBe(2);
    expect((await store.get({ baseUrl: server.url, userName: DEMO_USER.userName }))?.token).toBe(token);
  });

  it('a session finds the token another process left, and its logout logs that process out', async () => {
    const server = await mockServer();
    const [other] = await runFleet([worker(server.url, { kind: 'tokens', callers: 1 })]);
    const store = fileTokenStore({ path: dir, onWarning: () => {} });
    const session = new AuthSession({ ...DEMO_USER, baseUrl: server.url, store, logger: false });
    expect(await session.getSessionToken()).toBe(other?.tokens[0]);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(await session.logout()).toEqual({ revoked: true });
    expect(await store.get({ baseUrl: server.url, userName: DEMO_USER.userName })).toBeUndefined();
  });
});

describe('the rate limit of a session', () => {
  const rules = [{ limit: 10, windowMs: 1000 }];

  it('on with the same rules as the simulator: 3x the limit at once, every call answered, none 429', async () => {
    const server = await mockServer({ rateLimits: rules });
    const { session } = demoSession(server, { rateLimit: { rules } });
    const lists = await Promise.all(Array.from({ length: 30 }, () => session.accounts()));
    expect(lists.every((list) => list.length === 3)).toBe(true);
    expect(server.rateLimited()).toBe(0);
    // The login was counted too: 31 requests.
    expect(server.calls()).toBe(31);
  });

  it('off (rateLimit: false): the simulator answers 429s (so the test above can fail)', async () => {
    const server = await mockServer({ rateLimits: rules });
    const { session } = demoSession(server, { rateLimit: false, retry: false });
    await Promise.allSettled(Array.from({ length: 30 }, () => session.accounts()));
    expect(server.rateLimited()).toBeGreaterThan(0);
  });

  it("on by default with the gateway's limits: 200 a minute (the login counted), the 201st waits for the window", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1), { timers: 'fake' });
    const server = await mockServer({ rateLimits: true, now: clock.now });
    const { session } = demoSession(server, { clock, timeoutMs: 0 });
    const calls = Array.from({ length: 200 }, () => session.accounts());
    await vi.waitFor(() => expect(server.calls()).toBe(200), { interval: 5 });
    await vi.waitFor(() => expect(clock.pendingDelays().length).toBeGreaterThan(0), { interval: 5 });
    expect(server.calls()).toBe(200);
    clock.advance(61_000);
    const lists = await Promise.all(calls);
    expect(lists.every((list) => list.length === 3)).toBe(true);
    expect(server.calls()).toBe(201);
    expect(server.rateLimited()).toBe(0);
  });

  it("a slow request's place counts from its answer: the next one never reaches the server inside its window", async () => {
    const searchRule = [{ path: '/Account/search', limit: 1, windowMs: 1_000 }];
    const server = await mockServer({ rateLimits: searchRule });
    let slowNext = true;
    // The first search spends 700 ms in transit before the server counts it; the next is fast.
    const slowFirstSearch: typeof fetch = async (input, init) => {
      if (slowNext && String(input).endsWith('/Account/search')) {
        slowNext = false;
        await new Promise((resolve) => setTimeout(resolve, 700));
      }
      return observingFetch(input, init);
    };
    const { session } = demoSession(server, {
      fetch: slowFirstSearch,
      rateLimit: { rules: searchRule },
      retry: false,
    });
    await session.accounts();
    await session.accounts();
    expect(server.calls('/Account/search')).toBe(2);
    expect(server.rateLimited()).toBe(0);
  });

  it('a caller waiting for a place gives up when its signal fires, and nothing is sent for it', async () => {
    const server = await mockServer();
    const { session } = demoSession(server, { rateLimit: { rules: [{ limit: 2, windowMs: 60_000 }] } });
    await session.accounts(); // the login and this call fill the window
    const controller = new AbortController();
    const waiting = session.fetch('/Account/search', {
      method: 'POST',
      body: '{}',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.calls()).toBe(2);
  });

  it('a 429 that arrives anyway holds the next requests for its Retry-After', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1), { timers: 'fake' });
    const server = await mockServer({ now: clock.now });
    const { session } = demoSession(server, { clock, retry: false, timeoutMs: 0 });
    await tokenOf(session);
    server.inject('/Account/search', { status: 429, headers: { 'Retry-After': '5' }, body: '{}' });
    await expect(session.accounts()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    const next = session.accounts();
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([5000]), { interval: 2 });
    expect(server.calls('/Account/search')).toBe(1);
    clock.advance(5000);
    expect(await next).toHaveLength(3);
    expect(server.calls('/Account/search')).toBe(2);
  });
});

describe('options', () => {
  it('a store that is not a store, or a rateLimit that is not one, is a ConfigError', () => {
    const base = { userName: 'u@example.com', apiKey: 'k-123456' };
    expect(() => new AuthSession({ ...base, store: {} as TokenStore })).toThrow(
      /option store must be a token store/,
    );
    expect(() => new AuthSession({ ...base, rateLimit: 5 as never })).toThrow(/option rateLimit/);
  });

  it('a session with a store of its own logs out on dispose; logoutOnDispose: false keeps the token', async () => {
    const server = await mockServer();
    const { session } = demoSession(server, { logoutOnDispose: false });
    await tokenOf(session);
    await session[Symbol.asyncDispose]();
    expect(server.calls('/Auth/logout')).toBe(0);
    const logger = recordingLogger();
    const own = new AuthSession({ ...DEMO_USER, baseUrl: server.url, logger, retry: FAST_RETRY });
    await tokenOf(own);
    await own[Symbol.asyncDispose]();
    expect(server.calls('/Auth/logout')).toBe(1);
  });
});
