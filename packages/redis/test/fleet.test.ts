import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { AuthSession, type AuthSessionOptions } from '@testmax/auth';
import { DEMO_USER, type MockServer, startMockServer } from '@testmax/mock-server';
import { describeFleetContract } from '@testmax/test-support/fleet-contract';
import { runFleet, startFleetWorker } from '@testmax/test-support/fleet-processes';
import { guardUnhandledRejections } from '@testmax/test-support/guards';
import { type RedisServer, redisAvailable, startRedisServer } from '@testmax/test-support/redis-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { redisRateLimiter, redisTokenStore } from '../src/index.js';
import { dump } from './helpers/dump.js';

const resolve = createRequire(import.meta.url).resolve;
const AUTH = resolve('@testmax/auth/node');
const REDIS = resolve('@testmax/redis');

guardUnhandledRejections();

describe.runIf(redisAvailable())('sessions sharing Redis', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.close();
  });
  beforeEach(async () => {
    await redis.start();
    redis.thaw();
  });
  afterEach(async () => {
    redis.thaw();
  });
  const freshPrefix = () => `fleet-${randomBytes(6).toString('hex')}:`;

  describeFleetContract('redisTokenStore, a connection per session', {
    session: (options) => new AuthSession(options as unknown as AuthSessionOptions),
    simulator: (options) => startMockServer(options),
    async backing() {
      const keyPrefix = freshPrefix();
      const open = () => redisTokenStore({ url: redis.url, keyPrefix, commandTimeoutMs: 5_000 });
      return { open, dump: () => dump(redis.url, keyPrefix), dispose: async () => {} };
    },
  });

  describe('faults', () => {
    let server: MockServer;
    const closing: { close?(): Promise<void> }[] = [];
    const warnings: string[] = [];
    beforeEach(async () => {
      server = await startMockServer();
      warnings.length = 0;
    });
    afterEach(async () => {
      for (const c of closing.splice(0)) await c.close?.();
      await server.close();
    });
    const session = (keyPrefix: string, extra: Partial<AuthSessionOptions> = {}) => {
      const store = redisTokenStore({ url: redis.url, keyPrefix, commandTimeoutMs: 300 });
      closing.push(store);
      return new AuthSession({
        ...DEMO_USER,
        baseUrl: server.url,
        store,
        timeoutMs: 1_000,
        retry: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
        logger: { debug: () => {}, warn: (m) => warnings.push(m) },
        ...extra,
      });
    };
    const storeWarnings = () => warnings.filter((w) => w.includes('token store'));

    it('Redis stopped: every call still succeeds on a token of the session own, one warning', async () => {
      const keyPrefix = freshPrefix();
      const a = session(keyPrefix);
      await a.getSessionToken();
      await redis.stop();
      const b = session(keyPrefix); // starts while Redis is down: logs in on its own
      for (let i = 0; i < 5; i++) {
        expect(await a.accounts()).toHaveLength(3);
        expect(await b.accounts()).toHaveLength(3);
      }
      expect(server.calls('/Auth/loginKey')).toBe(2);
      expect(storeWarnings()).toHaveLength(1);
    });

    it('Redis hung (SIGSTOP): the session waits at most its request timeout for it, then goes on', async () => {
      const keyPrefix = freshPrefix();
      const asked: number[] = [];
      const clock = {
        now: () => Date.now(),
        setTimeout: (callback: () => void, ms: number) => {
          asked.push(ms);
          return setTimeout(callback, ms);
        },
        clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      };
      const store = redisTokenStore({ url: redis.url, keyPrefix, commandTimeoutMs: 60_000 });
      closing.push(store);
      await store.get({ baseUrl: server.url, userName: DEMO_USER.userName }); // connected first
      redis.freeze();
      const a = new AuthSession({
        ...DEMO_USER,
        baseUrl: server.url,
        store,
        clock,
        timeoutMs: 400,
        logger: false,
      });
      expect(await a.accounts()).toHaveLength(3);
      expect(asked).toContain(400);
      expect(Math.max(...asked)).toBeLessThanOrEqual(400);
      redis.thaw();
    });

    it('Redis back after a restart: a new session finds the token again once the store is retried', async () => {
      const keyPrefix = freshPrefix();
      await redis.stop();
      const a = session(keyPrefix);
      const own = await a.getSessionToken();
      await redis.start();
      // The store is tried again after its back-off (1 s) at the token's next look at it: a
      // validate() does, and publishes the token for the fleet.
      await new Promise((r) => setTimeout(r, 1_100));
      await a.validate();
      const b = session(keyPrefix);
      expect(await b.getSessionToken()).toBe(own);
      expect(server.calls('/Auth/loginKey')).toBe(1);
    });

    it('Redis frozen during a cold start, then thawed: the sessions converge on one token, and every other login is revoked', async () => {
      const keyPrefix = freshPrefix();
      redis.freeze();
      const fleet = Array.from({ length: 4 }, () => session(keyPrefix));
      // Each logs in on its own while the store hangs.
      for (const s of fleet) expect(await s.accounts()).toHaveLength(3);
      expect(server.calls('/Auth/loginKey')).toBe(4);
      redis.thaw();
      const stored = redisTokenStore({ url: redis.url, keyPrefix });
      closing.push(stored);
      const scope = { baseUrl: server.url, userName: DEMO_USER.userName };
      // Calls go on; once a session's store back-off has passed, its next call looks at the store.
      await vi.waitFor(
        async () => {
          for (const s of fleet) expect(await s.accounts()).toHaveLength(3);
          const shared = (await stored.get(scope))?.token;
          const tokens = await Promise.all(fleet.map((s) => s.getSessionToken()));
          expect(tokens).toEqual(fleet.map(() => shared));
        },
        { timeout: 20_000, interval: 200 },
      );
      for (const s of fleet) await s[Symbol.asyncDispose]();
      // One token left, the fleet's (the store keeps it); none that nobody could revoke.
      expect(server.calls('/Auth/loginKey') - server.calls('/Auth/logout')).toBe(1);
      expect(server.calls('/Auth/loginKey')).toBe(4);
    });

    it("Redis down for a session's whole life: dispose revokes its token, which no other session has", async () => {
      const keyPrefix = freshPrefix();
      await redis.stop();
      const a = session(keyPrefix);
      expect(await a.accounts()).toHaveLength(3);
      await a[Symbol.asyncDispose]();
      expect(server.calls('/Auth/loginKey')).toBe(1);
      expect(server.calls('/Auth/logout')).toBe(1);
    });

    it('a process killed in the middle of its login: another takes over after the lock TTL', async () => {
      const keyPrefix = freshPrefix();
      server.inject('/Auth/loginKey', { delayMs: 30_000 });
      const holder = startFleetWorker({
        auth: AUTH,
        store: { module: REDIS, export: 'redisTokenStore', options: { url: redis.url, keyPrefix } },
        session: { ...DEMO_USER, baseUrl: server.url, timeoutMs: 800 },
        task: { kind: 'login' },
      });
      await vi.waitFor(() => expect(server.calls('/Auth/loginKey')).toBe(1), {
        timeout: 15_000,
        interval: 10,
      });
      holder.child.kill('SIGKILL');
      await holder.result.catch(() => {});
      const token = await session(keyPrefix, { timeoutMs: 800 }).getSessionToken();
      expect(token.split('.')).toHaveLength(3);
      expect(server.calls('/Auth/loginKey')).toBe(2);
    });

    it('8 processes × 100 callers, cold: exactly one login', async () => {
      const keyPrefix = freshPrefix();
      const results = await runFleet(
        Array.from({ length: 8 }, () => ({
          auth: AUTH,
          // A generous reply deadline: 8 processes starting at once on a loaded machine may keep
          // Redis past the default 1 s, and a session would then rightly log in on its own.
          store: {
            module: REDIS,
            export: 'redisTokenStore',
            options: { url: redis.url, keyPrefix, commandTimeoutMs: 5_000 },
          },
          session: { ...DEMO_USER, baseUrl: server.url },
          task: { kind: 'tokens', callers: 100 },
        })),
      );
      expect(results.flatMap((r) => r.failures)).toEqual([]);
      expect(new Set(results.flatMap((r) => r.tokens)).size).toBe(1);
      expect(server.calls('/Auth/loginKey')).toBe(1);
    });
  });

  describe('a shared rate limit', () => {
    const rules = [{ limit: 10, windowMs: 1_000 }];
    let server: MockServer;
    beforeEach(async () => {
      server = await startMockServer({ rateLimits: rules });
    });
    afterEach(async () => server.close());

    const sessions = (limiter: () => AuthSessionOptions['rateLimit']) =>
      Array.from(
        { length: 4 },
        () =>
          new AuthSession({
            ...DEMO_USER,
            baseUrl: server.url,
            rateLimit: limiter(),
            retry: false,
            logger: false,
          }),
      );

    it('4 sessions on one redisRateLimiter: 3x the limit, none answered 429', async () => {
      const keyPrefix = freshPrefix();
      const limiters: ReturnType<typeof redisRateLimiter>[] = [];
      const fleet = sessions(() => {
        const limiter = redisRateLimiter({ url: redis.url, keyPrefix, rules });
        limiters.push(limiter);
        return limiter;
      });
      const token = await fleet[0]!.getSessionToken(); // one login for all: they share a store below
      expect(token).toBeTruthy();
      const outcomes = await Promise.allSettled(
        fleet.flatMap((s) => Array.from({ length: 8 }, () => s.accounts())),
      );
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(server.rateLimited()).toBe(0);
      for (const limiter of limiters) await limiter.close?.();
    });

    it('…while 4 sessions each counting alone get 429s (so the test above can fail)', async () => {
      const fleet = sessions(() => ({ rules }));
      await Promise.allSettled(fleet.flatMap((s) => Array.from({ length: 8 }, () => s.accounts())));
      expect(server.rateLimited()).toBeGreaterThan(0);
    });

    it('the shared limiter going away: the session counts alone, warns once, no call fails', async () => {
      const warnings: string[] = [];
      const limiter = redisRateLimiter({
        url: redis.url,
        keyPrefix: freshPrefix(),
        rules,
        commandTimeoutMs: 300,
      });
      const s = new AuthSession({
        ...DEMO_USER,
        baseUrl: server.url,
        rateLimit: limiter,
        logger: { debug: () => {}, warn: (m) => warnings.push(m) },
      });
      await s.accounts();
      await redis.stop();
      for (let i = 0; i < 5; i++) expect(await s.accounts()).toHaveLength(3);
      expect(warnings.filter((w) => w.includes('rate limiter'))).toHaveLength(1);
      await limiter.close?.();
    });
  });
});
