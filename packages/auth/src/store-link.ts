/**
 * The keeper's line to its token store, with the rule for a store that fails (Redis down or
 * slow, a token file that cannot be written): no call waits longer than the session's request
 * timeout, a failure answers {@link UNAVAILABLE} instead of throwing (the keeper then uses a
 * token of its own), the first failure is a warning (once, until the store answers again),
 * and the store is left alone for a back-off before it is tried again.
 */
import type { Clock } from './clock.js';
import { StoreError } from './errors.js';
import type { LogFn } from './logger.js';
import type { StoredToken, TokenRecord, TokenScope, TokenStore, TokenStoreLock } from './token-store.js';

export const UNAVAILABLE = Symbol('store unavailable');
type Maybe<T> = T | typeof UNAVAILABLE;

/** Back-off between tries of a failing store: doubling from 1 s to 30 s. */
const FIRST_RETRY_MS = 1_000;
const LAST_RETRY_MS = 30_000;

export class StoreLink {
  readonly #store: TokenStore;
  readonly #scope: TokenScope;
  readonly #clock: Clock;
  readonly #log: LogFn;
  /** Longest wait for one call; 0 for the session's own memory store, which cannot hang. */
  readonly #deadlineMs: number;
  #failures = 0;
  #retryAtMs = 0;
  #warned = false;

  constructor(store: TokenStore, scope: TokenScope, clock: Clock, log: LogFn, deadlineMs: number) {
    this.#store = store;
    this.#scope = scope;
    this.#clock = clock;
    this.#log = log;
    this.#deadlineMs = deadlineMs;
  }

  /** True during the back-off after a failure: a call now would answer UNAVAILABLE at once. */
  get resting(): boolean {
    return this.#clock.now() < this.#retryAtMs;
  }

  get(): Promise<Maybe<StoredToken | undefined>> {
    return this.#call('read', () => this.#store.get(this.#scope));
  }

  compareAndSet(expected: number, record: TokenRecord): Promise<Maybe<StoredToken | undefined>> {
    return this.#call('write', () => this.#store.compareAndSet(this.#scope, expected, record));
  }

  delete(expected: number): Promise<Maybe<boolean>> {
    return this.#call('delete', () => this.#store.delete(this.#scope, expected));
  }

  tryLock(ttlMs: number): Promise<Maybe<TokenStoreLock | undefined>> {
    return this.#call('lock', () => this.#store.tryLock(this.#scope, Math.ceil(ttlMs)));
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<Maybe<T>> {
    if (this.resting) return UNAVAILABLE;
    try {
      const value = await this.#deadline(run());
      if (this.#failures > 0)
        this.#log('debug', 'token store: answering again; the session shares its token again');
      this.#failures = 0;
      this.#warned = false;
      return value;
    } catch (error) {
      this.#failures++;
      const waitMs = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.#failures - 1));
      this.#retryAtMs = this.#clock.now() + waitMs;
      const why = error instanceof Error ? error.message : String(error);
      const message = `the token store failed to ${what} (${why}); the session goes on with a token of its own and tries the store again in ${waitMs / 1000} s`;
      // `details.store`: a tool with a clearer error of its own (the CLI) can tell these apart.
      this.#log(this.#warned ? 'debug' : 'warn', message, { store: 'unavailable' });
      this.#warned = true;
      return UNAVAILABLE;
    }
  }

  /** `promise`, or a StoreError once the deadline passes (the call itself may still land). */
  #deadline<T>(promise: Promise<T>): Promise<T> {
    const ms = this.#deadlineMs;
    if (!(ms > 0)) return promise;
    return new Promise<T>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        reject(new StoreError(`no answer within ${ms} ms`));
        // A late answer, or a late failure, goes nowhere.
        promise.catch(() => {});
      }, ms);
      promise.then(
        (value) => {
          this.#clock.clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          this.#clock.clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}
