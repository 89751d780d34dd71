/**
 * What every token store checks and derives the same way, so the memory, file and Redis stores
 * (and one a user writes) agree on which scopes share a token and refuse the same bad calls.
 */
import { withoutTrailingSlashes } from './base-url.js';
import { ConfigError } from './errors.js';
import type { RateLimitedRequest } from './rate-limiter.js';
import { REDACTED } from './redact.js';
import type { StoredToken, TokenRecord, TokenScope, TokenStore } from './token-store.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The text that names a scope's token: equal exactly when two sessions share one. The user
 * name is compared without case (the API matches e-mail addresses so), the base URL without a
 * trailing slash, and a profile keeps a token of its own. A JSON array, so no user name or URL
 * can forge a separator. Stores hash it for keys and file names; it never holds the API key.
 */
export function tokenScopeId(scope: TokenScope): string {
  checkTokenScope(scope);
  const { baseUrl, userName, profile } = normalizeScope(scope);
  return JSON.stringify(['token', baseUrl, userName, profile]);
}

/**
 * The text that names a rate budget: per base URL and user. Profiles of one user share it,
 * because the server counts the user's requests, not the profile's.
 */
export function rateLimitScopeId(request: RateLimitedRequest): string {
  checkTokenScope(request?.scope);
  const { baseUrl, userName } = normalizeScope(request.scope);
  return JSON.stringify(['rate', baseUrl, userName]);
}

export function checkTokenScope(scope: TokenScope): void {
  if (typeof scope !== 'object' || scope === null) {
    throw new ConfigError('A token scope must be an object with a baseUrl and a userName.');
  }
  if (typeof scope.baseUrl !== 'string' || scope.baseUrl.trim() === '') {
    throw new ConfigError('A token scope needs a non-empty baseUrl.');
  }
  if (typeof scope.userName !== 'string' || scope.userName.trim() === '') {
    throw new ConfigError('A token scope needs a non-empty userName.');
  }
  if (scope.profile !== undefined && typeof scope.profile !== 'string') {
    throw new ConfigError('A token scope profile must be a string when given.');
  }
}

/** A generation a caller expects: 0 (nothing stored) or a positive whole number. */
export function checkGeneration(generation: number): void {
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new ConfigError(`A token generation must be a whole number >= 0, got ${String(generation)}.`);
  }
}

/** A record to store: a non-empty token, a receipt time, an optional refusal flag. */
export function checkTokenRecord(record: TokenRecord): void {
  if (typeof record !== 'object' || record === null) {
    throw new ConfigError('A token record must be an object.');
  }
  if (typeof record.token !== 'string' || record.token === '') {
    throw new ConfigError('A token record needs a non-empty token.');
  }
  if (!Number.isFinite(record.receivedAt)) {
    throw new ConfigError('A token record needs receivedAt, a time in epoch milliseconds.');
  }
  if (record.refused !== undefined && typeof record.refused !== 'boolean') {
    throw new ConfigError('A token record refused flag must be a boolean when given.');
  }
}

/** A lock lifetime: a positive whole number of milliseconds. */
export function checkLockTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new ConfigError(`A lock TTL must be a whole number of milliseconds > 0, got ${String(ttlMs)}.`);
  }
}

/**
 * A scope as stores compare it: the base URL trimmed and without trailing slashes, the user
 * name trimmed and in lower case (the API matches e-mail addresses without case), no profile
 * as `''`. For anything else keyed by whose it is (the CLI's saved API keys).
 */
export function normalizeScope(scope: TokenScope): { baseUrl: string; userName: string; profile: string } {
  return {
    baseUrl: withoutTrailingSlashes(scope.baseUrl.trim()),
    userName: scope.userName.trim().toLowerCase(),
    profile: scope.profile ?? '',
  };
}

/**
 * The record a store hands out: frozen (what a caller holds cannot change what the store
 * holds), and shown by `util.inspect`, `console.log` and `JSON.stringify` with the token
 * redacted. Read `.token` to use it.
 */
export function storedToken(record: TokenRecord, generation: number): StoredToken {
  const stored: StoredToken = {
    token: record.token,
    generation,
    receivedAt: record.receivedAt,
    ...(record.refused ? { refused: true } : {}),
  };
  const shown = () => ({ ...stored, token: REDACTED });
  Object.defineProperties(stored, {
    toJSON: { value: shown },
    [INSPECT]: { value: () => shown() },
  });
  return Object.freeze(stored);
}

/** The `store` option: an object with the four methods of a {@link TokenStore}. */
export function checkTokenStore(store: unknown): void {
  const methods = ['get', 'compareAndSet', 'delete', 'tryLock'] as const;
  const given = store as Record<string, unknown> | null;
  if (given === null || typeof given !== 'object' || methods.some((m) => typeof given[m] !== 'function')) {
    throw new ConfigError(
      'The option store must be a token store (get, compareAndSet, delete, tryLock), such as memoryTokenStore(), fileTokenStore() or redisTokenStore().',
    );
  }
}
