/**
 * Where a session keeps its token. Sessions that share a store and a {@link TokenScope} share
 * one token: one login and one refresh at a time for all of them, whichever process or machine
 * they run in. The store never sees the API key.
 *
 * Implementations: `memoryTokenStore()` (the default: one process), `fileTokenStore()` from
 * `@testmax/auth/node` (processes on one machine), `redisTokenStore()` from `@testmax/redis`
 * (processes on several machines). Every implementation passes the same contract tests.
 */

/** Whose token it is. Sessions with equal scopes share a token through a shared store. */
export interface TokenScope {
  /** The normalised base URL (no trailing slash). */
  readonly baseUrl: string;
  readonly userName: string;
  /** A named profile (`TESTMAX_PROFILE`, `--profile`): each keeps a token of its own. */
  readonly profile?: string | undefined;
}

/** A token as a store keeps it. */
export interface StoredToken {
  readonly token: string;
  /**
   * Goes up by one on every write for the scope, across every process sharing the store, so
   * "is the token I hold still the current one?" is one comparison of generations.
   */
  readonly generation: number;
  /**
   * Epoch milliseconds at which the token was received from the server; with the JWT's
   * `exp - iat` it places the token's lifetime on this machine's clock.
   */
  readonly receivedAt: number;
  /** Set when a session saw the server refuse this token: the next one to ask logs in again. */
  readonly refused?: boolean | undefined;
}

/** What a writer supplies; the store assigns the generation. */
export type TokenRecord = Omit<StoredToken, 'generation'>;

/** A held login lock. */
export interface TokenStoreLock {
  /**
   * Give the lock back if it is still this holder's (compare-and-delete): a lock that expired
   * and was taken by another holder is left alone. Never rejects.
   */
  release(): Promise<void>;
}

export interface TokenStore {
  /** The scope's current token, or `undefined` when none is stored. */
  get(scope: TokenScope): Promise<StoredToken | undefined>;
  /**
   * Store `record` if the scope's stored generation is still `expectedGeneration` (`0` when
   * nothing is stored); the stored record gets `expectedGeneration + 1`. Resolves to what was
   * stored, or `undefined` when another writer got there first (`get()` tells what it wrote).
   */
  compareAndSet(
    scope: TokenScope,
    expectedGeneration: number,
    record: TokenRecord,
  ): Promise<StoredToken | undefined>;
  /**
   * Forget the scope's token; with `expectedGeneration`, only while it is still that one.
   * Resolves to whether something was deleted.
   */
  delete(scope: TokenScope, expectedGeneration?: number): Promise<boolean>;
  /**
   * Take the scope's login lock for at most `ttlMs` (a holder that dies lets the next one in
   * after that), or resolve `undefined` at once when another holder has it. Waiting is the
   * caller's job: it polls `get()` for a newer token and tries again.
   */
  tryLock(scope: TokenScope, ttlMs: number): Promise<TokenStoreLock | undefined>;
  /** Release connections and timers the store opened itself. Optional. */
  close?(): Promise<void>;
}
