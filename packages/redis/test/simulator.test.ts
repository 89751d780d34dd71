import { randomBytes } from 'node:crypto';
import { DEMO_USER, startMockServer } from '@testmax/mock-server';
import { offerLoad, simulatorLogin } from '@testmax/test-support/rate-limited-load';
import { type RedisServer, redisAvailable, startRedisServer } from '@testmax/test-support/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisRateLimiter } from '../src/index.js';

const RULES = [{ limit: 5, windowMs: 1_000 }];

describe.runIf(redisAvailable())('redisRateLimiter against the simulator enforcing the same limit', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it('4 limiters (each its own connection, as 4 processes) offering 3x the limit: none answered 429', async () => {
    await using server = await startMockServer({ rateLimits: RULES });
    const token = await simulatorLogin(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    const keyPrefix = `sim-${randomBytes(6).toString('hex')}:`;
    const limiters = Array.from({ length: 4 }, () =>
      redisRateLimiter({ url: redis.url, keyPrefix, rules: RULES }),
    );
    try {
      const statuses = await offerLoad({
        baseUrl: server.url,
        token,
        scope: { baseUrl: server.url, userName: DEMO_USER.userName },
        limiters,
        requests: 16,
      });
      expect(statuses).toEqual(Array.from({ length: 16 }, () => 200));
      expect(server.rateLimited()).toBe(0);
    } finally {
      await Promise.all(limiters.map((limiter) => limiter.close?.()));
    }
  });

  it('the same 4 with in-process limiters of their own: the simulator answers 429 (the baseline)', async () => {
    await using server = await startMockServer({ rateLimits: RULES });
    const token = await simulatorLogin(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    const { createRateLimiter } = await import('@testmax/auth');
    const limiters = Array.from({ length: 4 }, () => createRateLimiter({ rules: RULES }));
    const statuses = await offerLoad({
      baseUrl: server.url,
      token,
      scope: { baseUrl: server.url, userName: DEMO_USER.userName },
      limiters,
      requests: 16,
    });
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
  });
});
