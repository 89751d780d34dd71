import { randomBytes } from 'node:crypto';
import { describeRateLimiterContract } from '@testmax/test-support/rate-limiter-contract';
import { type RedisServer, redisAvailable, startRedisServer } from '@testmax/test-support/redis-server';
import { describeTokenStoreContract } from '@testmax/test-support/token-store-contract';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe } from 'vitest';
import { redisRateLimiter, redisTokenStore } from '../src/index.js';
import { dump } from './helpers/dump.js';

describe.runIf(redisAvailable())('on a real redis-server', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.close();
  });
  /** Each test gets a prefix of its own: an empty store on the one server. */
  const freshPrefix = () => `test-${randomBytes(6).toString('hex')}:`;

  describeTokenStoreContract('redisTokenStore({ url }): each instance its own connection', {
    async backing() {
      const keyPrefix = freshPrefix();
      return {
        open: () => redisTokenStore({ url: redis.url, keyPrefix }),
        dump: () => dump(redis.url, keyPrefix),
        dispose: async () => {},
      };
    },
  });

  describeTokenStoreContract('redisTokenStore({ client }): instances sharing your client', {
    async backing() {
      const keyPrefix = freshPrefix();
      const client = createClient({ url: redis.url });
      await client.connect();
      return {
        open: () => redisTokenStore({ client, keyPrefix }),
        dump: () => dump(redis.url, keyPrefix),
        dispose: async () => {
          client.destroy();
        },
      };
    },
  });

  describeRateLimiterContract('redisRateLimiter({ url })', {
    shared: true,
    async backing() {
      const keyPrefix = freshPrefix();
      return {
        open: (options) => redisRateLimiter({ url: redis.url, keyPrefix, ...options }),
        dispose: async () => {},
      };
    },
  });
});
