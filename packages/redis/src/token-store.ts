import { randomUUID } from 'node:crypto';
import {
  checkGeneration,
  checkLockTtl,
  checkTokenRecord,
  type StoredToken,
  storedToken,
  type TokenRecord,
  type TokenScope,
  type TokenStore,
  type TokenStoreLock,
} from '@testmax/auth';
import { type RedisConnectionOptions, type RedisSource, redisConnection } from './connection.js';
import { tokenKeys } from './keys.js';
import { COMPARE_AND_SET, DELETE, RELEASE } from './scripts.js';

export type RedisTokenStoreOptions = RedisSource & RedisConnectionOptions;

/**
 * A token store on Redis, for sessions on several machines: the token in a hash written by
 * compare-and-set (a Lua script), the login lock as `SET lock <holder> NX PX <ttl>`, given back
 * by a compare-and-delete script. Every call fails within `commandTimeoutMs` (default 1 s) with
 * a `StoreError` when Redis is down, slow or hung, so a session can go on with a token of its
 * own. Made from `{ url }`, it owns its connection and `close()` closes it; given a
 * `{ client }`, it leaves the client to you.
 */
export function redisTokenStore(options: RedisTokenStoreOptions): TokenStore {
  const redis = redisConnection(options);
  const keysOf = (scope: TokenScope) => tokenKeys(redis.keyPrefix, scope);

  return {
    async get(scope: TokenScope): Promise<StoredToken | undefined> {
      const { token } = keysOf(scope);
      return parseHash(await redis.command(['HGETALL', token]));
    },

    async compareAndSet(scope: TokenScope, expectedGeneration: number, record: TokenRecord) {
      const { token } = keysOf(scope);
      checkGeneration(expectedGeneration);
      checkTokenRecord(record);
      const generation = Number(
        await redis.run(
          COMPARE_AND_SET,
          [token],
          [String(expectedGeneration), record.token, String(record.receivedAt), record.refused ? '1' : '0'],
        ),
      );
      return generation > 0 ? storedToken(record, generation) : undefined;
    },

    async delete(scope: TokenScope, expectedGeneration?: number): Promise<boolean> {
      const { token } = keysOf(scope);
      if (expectedGeneration !== undefined) checkGeneration(expectedGeneration);
      const deleted = await redis.run(
        DELETE,
        [token],
        [expectedGeneration === undefined ? '' : String(expectedGeneration)],
      );
      return Number(deleted) > 0;
    },

    async tryLock(scope: TokenScope, ttlMs: number): Promise<TokenStoreLock | undefined> {
      const { lock } = keysOf(scope);
      checkLockTtl(ttlMs);
      const holder = randomUUID();
      const reply = await redis.command(['SET', lock, holder, 'NX', 'PX', String(ttlMs)]);
      if (reply === null || reply === undefined) return undefined;
      return {
        async release() {
          // Never rejects: a lock that cannot be given back now expires by its TTL.
          await redis.run(RELEASE, [lock], [holder]).catch(() => {});
        },
      };
    },

    close: () => redis.close(),
  };
}

/** HGETALL's answer (a flat array in RESP2, a map in RESP3) as a stored token, if complete. */
function parseHash(reply: unknown): StoredToken | undefined {
  let fields: Record<string, string>;
  if (Array.isArray(reply)) {
    fields = {};
    for (let i = 0; i + 1 < reply.length; i += 2) fields[String(reply[i])] = String(reply[i + 1]);
  } else if (reply instanceof Map) {
    fields = Object.fromEntries([...reply].map(([key, value]) => [String(key), String(value)]));
  } else if (typeof reply === 'object' && reply !== null) {
    fields = Object.fromEntries(Object.entries(reply).map(([key, value]) => [key, String(value)]));
  } else {
    return undefined;
  }
  const generation = Number(fields.generation);
  const receivedAt = Number(fields.receivedAt);
  if (!fields.token || !Number.isSafeInteger(generation) || generation < 1 || !Number.isFinite(receivedAt)) {
    return undefined;
  }
  return storedToken({ token: fields.token, receivedAt, refused: fields.refused === '1' }, generation);
}
