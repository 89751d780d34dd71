import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { StoreError, TestMaxError } from '@testmax/auth';
import { guardUnhandledRejections } from '@testmax/test-support/guards';
import { type RedisServer, redisAvailable, startRedisServer } from '@testmax/test-support/redis-server';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { redisRateLimiter, redisTokenStore } from '../src/index.js';

const SCOPE = { baseUrl: 'http://127.0.0.1:4010', userName: 'fleet@example.com' };
const REQUEST = { scope: SCOPE, path: '/Account/search' };
const TIMEOUT_MS = 300;
const record = (token: string) => ({ token, receivedAt: Date.now() });

/** Everything a store or limiter can be asked, each as a promise that must settle. */
function everyCall(store: ReturnType<typeof redisTokenStore>, limiter: ReturnType<typeof redisRateLimiter>) {
  return {
    get: () => store.get(SCOPE),
    compareAndSet: () => store.compareAndSet(SCOPE, 0, record('t')),
    delete: () => store.delete(SCOPE),
    tryLock: () => store.tryLock(SCOPE, 5_000),
    acquire: () => limiter.acquire(REQUEST),
  };
}

guardUnhandledRejections();

describe.runIf(redisAvailable())('Redis going away', () => {
  let redis: RedisServer;
  let store: ReturnType<typeof redisTokenStore>;
  let limiter: ReturnType<typeof redisRateLimiter>;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.close();
  });
  /**
   * Both connected: a first connection on a loaded machine can take longer than the short
   * timeout these tests use, which is not the fault under test.
   */
  const connected = () =>
    vi.waitFor(
      async () => {
        await store.get(SCOPE);
        await limiter.acquire(REQUEST);
      },
      { timeout: 10_000, interval: 100 },
    );

  beforeEach(async () => {
    await redis.start(); // a test that stopped it gets it back
    redis.thaw();
    const keyPrefix = `faults-${randomBytes(6).toString('hex')}:`;
    store = redisTokenStore({ url: redis.url, keyPrefix, commandTimeoutMs: TIMEOUT_MS });
    limiter = redisRateLimiter({
      url: redis.url,
      keyPrefix,
      commandTimeoutMs: TIMEOUT_MS,
      rules: [{ limit: 100, windowMs: 1_000 }],
    });
  });
  afterEach(async () => {
    redis.thaw();
    await store.close?.();
    await limiter.close?.();
  });

  async function expectAllFail(pattern: RegExp) {
    for (const [name, call] of Object.entries(everyCall(store, limiter))) {
      const error = await call().then(
        () => new Error(`${name} succeeded`),
        (e: unknown) => e,
      );
      expect(error, name).toBeInstanceOf(StoreError);
      expect(error, name).toBeInstanceOf(TestMaxError);
      expect((error as StoreError).reason, name).toBe('unavailable');
      expect((error as Error).message, name).toMatch(pattern);
    }
  }

  it('stopped: every call rejects with a StoreError naming Redis, without hanging', async () => {
    await connected(); // Redis then goes away under a live connection
    await redis.stop();
    await expectAllFail(/^Redis at 127\.0\.0\.1:\d+ (is not reachable|did not answer)/);
  });

  it('never reachable from the start: the first call fails after the timeout, as do later ones', async () => {
    await redis.stop();
    await expectAllFail(/^Redis at 127\.0\.0\.1:\d+ is not reachable/);
  });

  it('hung (SIGSTOP): calls on an open connection time out with a StoreError', async () => {
    await connected();
    redis.freeze();
    await expectAllFail(new RegExp(`did not answer within ${TIMEOUT_MS} ms`));
  });

  it('slow (DEBUG SLEEP): a call waiting on it times out; the next works once Redis answers again', async () => {
    await store.compareAndSet(SCOPE, 0, record('before'));
    const sleeping = redis.command(['DEBUG', 'SLEEP', '1']);
    await new Promise((resolve) => setTimeout(resolve, 50)); // the sleep has started
    await expect(store.get(SCOPE)).rejects.toThrow(/did not answer within/);
    await sleeping;
    expect((await store.get(SCOPE))?.token).toBe('before');
  });

  it('back: after a restart, the same store and limiter work again without being recreated', async () => {
    await store.compareAndSet(SCOPE, 0, record('before'));
    await redis.stop();
    await expect(store.get(SCOPE)).rejects.toBeInstanceOf(StoreError);
    await redis.start();
    // Reconnection is in the background, with back-off: poll until it is through.
    const giveUpAt = Date.now() + 15_000;
    let value: unknown;
    for (;;) {
      value = await store.get(SCOPE).catch((error: unknown) => error);
      if (!(value instanceof StoreError) || Date.now() > giveUpAt) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(value).toBeUndefined(); // Redis keeps nothing across the restart (no persistence)
    expect(await store.compareAndSet(SCOPE, 0, record('after'))).toMatchObject({ generation: 1 });
    const lock = await store.tryLock(SCOPE, 5_000);
    expect(lock).toBeDefined();
    await lock?.release();
    await limiter.acquire(REQUEST);
  });

  it('a lock release that cannot reach Redis does not reject (the lock expires by its TTL)', async () => {
    const lock = await store.tryLock(SCOPE, 5_000);
    await redis.stop();
    await expect(lock?.release()).resolves.toBeUndefined();
  });

  it('the error says where, never the password of the URL, and hides nothing secret in inspect', async () => {
    await redis.stop();
    const withPassword = redisTokenStore({
      url: `redis://:s3cret-pass@127.0.0.1:${redis.port}`,
      commandTimeoutMs: TIMEOUT_MS,
    });
    const error = await withPassword.get(SCOPE).catch((e: unknown) => e);
    await withPassword.close?.();
    expect(error).toBeInstanceOf(StoreError);
    expect(inspect(error, { depth: 10 })).not.toContain('s3cret-pass');
    expect((error as Error).message).toContain(`127.0.0.1:${redis.port}`);
  });
});

describe.runIf(redisAvailable())('connections', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('made from { url }: the store owns its connection and close() ends it', async () => {
    const store = redisTokenStore({ url: redis.url });
    await store.get(SCOPE);
    const before = await clientCount(redis.url);
    await store.close?.();
    expect(await clientCount(redis.url)).toBe(before - 1);
    await expect(store.get(SCOPE)).rejects.toMatchObject({ name: 'StoreError', reason: 'invalid' });
  });

  it('given { client }: close() leaves your client connected', async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    const store = redisTokenStore({ client });
    const limiter = redisRateLimiter({ client });
    await store.compareAndSet(SCOPE, 0, record('t'));
    await limiter.acquire(REQUEST);
    await store.close?.();
    await limiter.close?.();
    expect(client.isReady).toBe(true);
    expect(await client.ping()).toBe('PONG');
    client.destroy();
  });

  it('a given client that is not connected is a clear StoreError, not a hang', async () => {
    const client = createClient({ url: redis.url });
    const store = redisTokenStore({ client });
    await expect(store.get(SCOPE)).rejects.toThrow(/not connected; call client.connect\(\) first/);
  });

  it('refuses options that cannot work, at once', () => {
    expect(() => redisTokenStore({} as never)).toThrow(/client.*or a URL/);
    expect(() => redisTokenStore({ url: 'http://127.0.0.1:6379' })).toThrow(/redis:\/\//);
    expect(() => redisTokenStore({ url: redis.url, commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs/);
    expect(() => redisRateLimiter({ url: redis.url, rules: [{ limit: 0, windowMs: 1 }] })).toThrow(/limit/);
  });

  it('opens no connection until first used', async () => {
    const before = await clientCount(redis.url);
    const store = redisTokenStore({ url: redis.url });
    const limiter = redisRateLimiter({ url: redis.url });
    expect(await clientCount(redis.url)).toBe(before);
    await store.close?.();
    await limiter.close?.();
  });
});

async function clientCount(url: string): Promise<number> {
  const client = createClient({ url });
  await client.connect();
  try {
    const list = await client.clientList();
    return list.length - 1; // not this one
  } finally {
    client.destroy();
  }
}
