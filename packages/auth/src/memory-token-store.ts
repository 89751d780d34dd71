import { type Clock, systemClock } from './clock.js';
import {
  checkGeneration,
  checkLockTtl,
  checkTokenRecord,
  storedToken,
  tokenScopeId,
} from './store-support.js';
import type { StoredToken, TokenRecord, TokenScope, TokenStore, TokenStoreLock } from './token-store.js';

export interface MemoryTokenStoreOptions {
  /** Time source for lock expiry; default the system clock. */
  clock?: Clock;
}

/**
 * The default store: one process, no I/O. Sessions given the same memory store (and scope)
 * share one token; a session without a `store` option gets a store of its own.
 */
export function memoryTokenStore(options: MemoryTokenStoreOptions = {}): TokenStore {
  const clock = options.clock ?? systemClock;
  const tokens = new Map<string, StoredToken>();
  const locks = new Map<string, { holder: object; expiresAt: number }>();

  return {
    async get(scope: TokenScope) {
      return tokens.get(tokenScopeId(scope));
    },

    async compareAndSet(scope: TokenScope, expectedGeneration: number, record: TokenRecord) {
      const id = tokenScopeId(scope);
      checkGeneration(expectedGeneration);
      checkTokenRecord(record);
      if ((tokens.get(id)?.generation ?? 0) !== expectedGeneration) return undefined;
      const stored = storedToken(record, expectedGeneration + 1);
      tokens.set(id, stored);
      return stored;
    },

    async delete(scope: TokenScope, expectedGeneration?: number) {
      const id = tokenScopeId(scope);
      if (expectedGeneration !== undefined) checkGeneration(expectedGeneration);
      const current = tokens.get(id);
      if (!current) return false;
      if (expectedGeneration !== undefined && current.generation !== expectedGeneration) return false;
      tokens.delete(id);
      return true;
    },

    async tryLock(scope: TokenScope, ttlMs: number): Promise<TokenStoreLock | undefined> {
      const id = tokenScopeId(scope);
      checkLockTtl(ttlMs);
      const now = clock.now();
      const current = locks.get(id);
      if (current && current.expiresAt > now) return undefined;
      const holder = {};
      locks.set(id, { holder, expiresAt: now + ttlMs });
      return {
        async release() {
          // Compare-and-delete: a lock that expired and was taken by another holder stays.
          if (locks.get(id)?.holder === holder) locks.delete(id);
        },
      };
    },
  };
}
