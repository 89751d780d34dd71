import { randomBytes } from 'node:crypto';
import {
  createRateLimiter,
  type RateLimitAdmission,
  type RateLimitBackend,
  type RateLimiter,
  type RateLimitRule,
} from '@testmax/auth';
import {
  type RedisConnection,
  type RedisConnectionOptions,
  type RedisSource,
  redisConnection,
} from './connection.js';
import { rateKeys } from './keys.js';
import { FINISH, PAUSE, TAKE } from './scripts.js';

export type RedisRateLimiterOptions = RedisSource &
  RedisConnectionOptions & {
    /** The budgets; default the gateway's (`GATEWAY_RATE_LIMITS`). Custom rules replace them. */
    rules?: readonly RateLimitRule[];
    /** Extra wait per window for transit time; default 1 % of the window, 100 ms to 1 s. */
    marginMs?: number;
  };

/**
 * One rate budget for a fleet: every process and machine using the same Redis (and key
 * prefix) counts against the same sliding windows, per base URL and user, on Redis's clock.
 * Waiting is first in, first out within a process and honours `AbortSignal`; a 429 paused by
 * one process holds them all. Redis down or slow: `acquire` rejects with a `StoreError` within
 * `commandTimeoutMs`, never hangs.
 */
export function redisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { rules, marginMs, ...source } = options;
  const redis = redisConnection(source);
  return createRateLimiter({
    ...(rules === undefined ? {} : { rules }),
    ...(marginMs === undefined ? {} : { marginMs }),
    backend: redisRateLimitBackend(redis),
  });
}

export function redisRateLimitBackend(redis: RedisConnection): RateLimitBackend {
  return {
    async take(budget, rules): Promise<RateLimitAdmission> {
      const keys = rateKeys(redis.keyPrefix, budget, rules);
      const args = rules.flatMap((rule) => [String(rule.limit), String(rule.windowMs)]);
      const reply = (await redis.run(
        TAKE,
        [keys.pause, ...keys.rules],
        [...args, randomBytes(8).toString('hex')],
      )) as number[] | undefined;
      if (!Array.isArray(reply))
        throw new Error(`unexpected reply from the rate limit script: ${String(reply)}`);
      if (Number(reply[0]) === 1) return { granted: true, ticket: String(reply[1]) };
      return {
        granted: false,
        waitMs: Math.max(1, Number(reply[1])),
        blocked: reply.slice(2).map((position) => rules[Number(position)]!.id),
      };
    },

    async release(budget, rules, ticket) {
      const keys = rateKeys(redis.keyPrefix, budget, rules);
      const windows = rules.map((rule) => String(rule.windowMs));
      await redis.run(FINISH, keys.rules, [...windows, String(ticket)]);
    },

    async pause(budget, ms) {
      const keys = rateKeys(redis.keyPrefix, budget, []);
      await redis.run(PAUSE, [keys.pause], [String(Math.ceil(ms))]);
    },

    close: () => redis.close(),
  };
}
