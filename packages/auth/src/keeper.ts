/**
 * The token keeper: which token to hand out, when to refresh it, when to log in again, and
 * how sessions sharing a store agree on one token. It knows no HTTP: the server is three
 * functions (log in, validate, revoke) and the token lives in a {@link TokenStore}.
 *
 * - The current token is an immutable {@link Token}, replaced on every change: "is it still
 *   current?" is `token === keeper.current`.
 * - `logout()` replaces the era: a login or refresh that began in an older era must not bring
 *   a token back (it revokes what it got instead), and a call of an older era does not log in.
 * - Logins and refreshes are single-flight in the process, and across processes sharing the
 *   store one at a time: the store's lock, whose holder writes the token the others then find.
 */
import { abortReason, sleep, untilAborted } from './abort.js';
import type { Clock } from './clock.js';
import { AuthenticationError, TestMaxError, TokenExpiredError } from './errors.js';
import { isHeaderSafeToken } from './header-token.js';
import type { LogFn } from './logger.js';
import type { LifecyclePolicy } from './options.js';
import { SingleFlight } from './single-flight.js';
import { type StoreLink, UNAVAILABLE } from './store-link.js';
import {
  isPastRefreshPoint,
  makeToken,
  mustRenew,
  refreshBackoffMs,
  type Timeline,
  type Token,
} from './token.js';
import type { StoredToken } from './token-store.js';

/** The server, as far as the keeper needs it. */
export interface KeeperServer {
  /** A token from `Auth/loginKey` (throws the login's error). */
  logIn(): Promise<string>;
  /** `Auth/validate` about `token`: the same or a renewed token, or `undefined` when refused. */
  validate(token: string): Promise<string | undefined>;
  /** `Auth/logout`: true when revoked now, false when the server already refused the token. */
  revoke(token: string, signal?: AbortSignal): Promise<boolean>;
}

export interface KeeperOptions {
  readonly server: KeeperServer;
  /** The store sessions share; none: the token lives only here (a session's own memory). */
  readonly store: StoreLink | undefined;
  /** False without an API key: the keeper can only use tokens it is given or finds in the store. */
  readonly canLogIn: boolean;
  readonly clock: Clock;
  readonly policy: LifecyclePolicy;
  readonly log: LogFn;
  /** How long another holder may keep the store's lock: a little more than one attempt. */
  readonly lockTtlMs: number;
}

export type RefreshOutcome = 'renewed' | 'same' | 'refused' | 'discarded';

/** First and longest pause between looks at the store while another holder logs in. */
const POLL_FIRST_MS = 10;
const POLL_MAX_MS = 250;
/** After a look at the store that left the token unshared (another writer won), the next one. */
const SHARE_RETRY_MS = 1_000;

export function loggedOutError(): AuthenticationError {
  return new AuthenticationError('The session was logged out while the request was waiting', {
    advice: 'call authenticate() to start a new one',
  });
}

export class TokenKeeper {
  readonly #o: KeeperOptions;
  #token: Token | undefined;
  /** Replaced by `logout()`: work begun in an older era may not install a token. */
  #era: object = {};
  readonly #renewal = new SingleFlight<Token>();
  readonly #refresh = new SingleFlight<RefreshOutcome>();
  /** No background refresh of this token before this time (after "same token" or a failure). */
  #quiet: { readonly token: Token; readonly untilMs: number } | undefined;
  /** Publishing a token only this session has (the store was away when it got it). */
  readonly #share = new SingleFlight<void>();
  #shareAfterMs = 0;
  /** Revocations of tokens nobody will use, sent in the background: dispose waits for them. */
  readonly #revoking = new Set<Promise<unknown>>();

  constructor(options: KeeperOptions) {
    this.#o = options;
  }

  get current(): Token | undefined {
    return this.#token;
  }

  get era(): object {
    return this.#era;
  }

  /** Start from a token issued earlier (the `token` option): not from the store, expiry from `exp`. */
  seed(value: string): void {
    this.#install(value, 0, 'claims', 'given');
  }

  /**
   * The token to hand out now, without waiting, or `undefined` when a login (or a look at the
   * store) must come first. From the refresh point on, a background refresh starts.
   */
  usable(): Token | undefined {
    const token = this.#token;
    if (!token || token.refused) return undefined;
    const now = this.#o.clock.now();
    // Without a key a token past its expiry is still worth sending: only the server knows.
    if (mustRenew(token, now) && this.#o.canLogIn) return undefined;
    if (this.#isUnshared(token) && now >= this.#shareAfterMs) this.#startSharing(token);
    const quiet = this.#quiet?.token === token && now < this.#quiet.untilMs;
    if (isPastRefreshPoint(token, now) && !this.#refresh.inFlight && !this.#share.inFlight && !quiet) {
      this.refresh(token, false).catch((error: unknown) => {
        this.#o.log(
          'warn',
          `background token refresh failed (${errorText(error)}); the current token keeps serving until it expires`,
        );
      });
    }
    return token;
  }

  /**
   * A token of our own login that never reached the store (it was away): nobody else has it,
   * so the fleet holds one more session than it should until it is shared or revoked.
   */
  #isUnshared(token: Token): boolean {
    return (
      this.#o.store !== undefined && token.origin === 'login' && token.generation === 0 && !token.refused
    );
  }

  /**
   * A refresh of our own login that the store never saw (same token or renewed) is still a
   * session of our own: it keeps the origin that lets it be shared, or revoked on dispose.
   */
  #originAfterRefresh(token: Token): 'login' | 'refresh' {
    return this.#isUnshared(token) ? 'login' : 'refresh';
  }

  /**
   * The store answers again (its back-off has passed): in the background, publish `token`
   * there, or adopt the fleet's token and revoke ours. Callers go on with `token` meanwhile.
   */
  #startSharing(token: Token): void {
    const { store, log } = this.#o;
    if (!store || store.resting || this.#share.inFlight || this.#renewal.inFlight || this.#refresh.inFlight)
      return;
    const era = this.#era;
    this.#share
      .run(async () => {
        const stored = await store.get();
        if (stored === UNAVAILABLE || this.#token !== token || era !== this.#era) return;
        if (this.#isUsable(stored)) {
          this.#adopt(stored);
          log(
            'debug',
            "token store: answering again; the session uses the fleet's token (its own login revoked)",
          );
          return;
        }
        const shared = await this.#publish(token.value, 'login', stored, token.receivedAtMs);
        if (shared.generation > 0) log('debug', 'token store: answering again; the session shared its token');
      })
      .catch((error: unknown) => log('debug', `token store: sharing the token failed (${errorText(error)})`))
      .finally(() => {
        if (this.#token?.generation === 0) this.#shareAfterMs = this.#o.clock.now() + SHARE_RETRY_MS;
      });
  }

  /** A token good to use now: {@link usable}, or the outcome of a login everybody waiting shares. */
  token(signal: AbortSignal | undefined, era: object = this.#era): Promise<Token> {
    const ready = this.usable();
    if (ready) return Promise.resolve(ready);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (era !== this.#era) return Promise.reject(loggedOutError());
    return untilAborted(this.renew(false), signal);
  }

  /** The server refused `token`: unless a newer one replaced it, the next caller logs in. */
  markRefused(token: Token): void {
    if (this.#token !== token) return;
    this.#token = { ...token, refused: true };
    // Only that token, only if the store still holds it: a newer one stays.
    if (token.generation > 0) {
      const record = { token: token.value, receivedAt: token.receivedAtMs, refused: true };
      void this.#o.store?.compareAndSet(token.generation, record);
    }
  }

  /**
   * Log in (joining a login already in flight). `force`: even when a usable token is at hand or
   * in the store (`authenticate()`); otherwise a token another session stored is used.
   */
  renew(force: boolean): Promise<Token> {
    // Joined without a closure of its own: a herd of callers costs one promise each.
    const joined = this.#renewal.current;
    if (joined) return joined;
    // Read now, not when the flight starts: a logout in between must void this login.
    const era = this.#era;
    return this.#renewal.run(() => this.#renewOnce(era, force));
  }

  async #renewOnce(era: object, force: boolean): Promise<Token> {
    const { store, server, clock, canLogIn } = this.#o;
    // Our own refresh holds the store's lock: let it finish, it may bring what we need.
    const refreshing = this.#refresh.current;
    if (store && refreshing) await refreshing.catch(() => {});
    for (let pollMs = POLL_FIRST_MS; ; pollMs = Math.min(POLL_MAX_MS, pollMs * 2)) {
      const stored = store ? await store.get() : UNAVAILABLE;
      // A logout while we waited: stop. (Before the first login it is checked after it, which
      // then revokes what it got: the call began before the logout.)
      if (era !== this.#era && pollMs > POLL_FIRST_MS) throw loggedOutError();
      if (!force && stored !== UNAVAILABLE && this.#isUsable(stored)) return this.#adopt(stored);
      if (!canLogIn) throw this.#noKeyError();
      const lock = stored === UNAVAILABLE || !store ? UNAVAILABLE : await store.tryLock(this.#o.lockTtlMs);
      if (lock === undefined) {
        // Another session logs in: wait for the token it will store, or for its lock to lapse.
        await sleep(pollMs, clock);
        continue;
      }
      try {
        const latest = lock === UNAVAILABLE || !store ? UNAVAILABLE : await store.get();
        if (!force && latest !== UNAVAILABLE && this.#isUsable(latest)) return this.#adopt(latest);
        const value = await server.logIn();
        if (era !== this.#era) {
          // logout() won the race: this token must not come back. Revoke it, best effort.
          this.#revokeLater(value);
          throw loggedOutError();
        }
        this.#o.log('debug', 'logged in');
        const own = this.#token?.origin === 'given' ? undefined : this.#token;
        const replaced =
          latest === UNAVAILABLE ? own : latest && { value: latest.token, refused: latest.refused };
        const token = await this.#publish(value, 'login', latest === UNAVAILABLE ? undefined : latest);
        // A forced login (authenticate()) leaves no token behind that nobody will use: the one it
        // replaced is revoked (sessions still sending it get a 401, then this one).
        if (force && replaced && !replaced.refused && replaced.value !== value && this.#token === token) {
          await server.revoke(replaced.value).catch(() => {});
        }
        return token;
      } finally {
        if (lock !== UNAVAILABLE) await lock.release();
      }
    }
  }

  /**
   * Ask the server about `token` now, through `Auth/validate` (`force`: even when another
   * session holds the store's lock, for `validate()`). Renewed, it replaces the current token.
   */
  refresh(token: Token, force: boolean): Promise<RefreshOutcome> {
    const era = this.#era;
    return this.#refresh.run(() => this.#refreshOnce(token, era, force));
  }

  async #refreshOnce(token: Token, era: object, force: boolean): Promise<RefreshOutcome> {
    const { store, server, clock, log, policy } = this.#o;
    log('debug', 'refresh: started');
    const backOff = (ms: number, of: Token = token) => {
      if (this.#token === of) this.#quiet = { token: of, untilMs: clock.now() + ms };
      return ms;
    };
    /** Another session sharing the store renewed it already: use theirs. */
    const renewedElsewhere = (stored: StoredToken | undefined | typeof UNAVAILABLE) => {
      if (stored === UNAVAILABLE || stored?.token === token.value || !this.#isUsable(stored)) return false;
      this.#adopt(stored);
      log('debug', 'refresh: renewed (by another session sharing the store)');
      return true;
    };
    let stored = store ? await store.get() : UNAVAILABLE;
    if (this.#token !== token) return this.#discarded();
    if (renewedElsewhere(stored)) return 'renewed';
    const lock =
      stored === UNAVAILABLE || force || !store ? UNAVAILABLE : await store.tryLock(this.#o.lockTtlMs);
    if (lock === undefined) {
      log('debug', `refresh: another session is refreshing; looking again in ${backOff(POLL_MAX_MS)}ms`);
      return 'same';
    }
    // The lock is held until the renewed token is stored: whoever comes next finds it there.
    try {
      if (lock !== UNAVAILABLE && store) {
        stored = await store.get();
        if (renewedElsewhere(stored)) return 'renewed';
      }
      let fresh: string | undefined;
      try {
        fresh = await server.validate(token.value);
      } catch (error) {
        backOff(refreshBackoffMs(token, policy));
        throw error;
      }
      // A logout or a login finished meanwhile: this answer is about a token we no longer hold.
      if (this.#token !== token) {
        // A token renewed for a session that logged out must not stay valid: revoke it.
        if (fresh && fresh !== token.value && era !== this.#era) this.#revokeLater(fresh);
        return this.#discarded();
      }
      if (fresh === undefined) {
        this.markRefused(token);
        log('debug', 'refresh: the server refused the token; the next call logs in again');
        return 'refused';
      }
      const read = stored === UNAVAILABLE ? undefined : stored;
      if (fresh === token.value) {
        // Ours alone (the store was away) and the store holds none now: the fleet may share it.
        const shared =
          token.generation === 0 && stored === undefined && store
            ? await this.#publish(token.value, this.#originAfterRefresh(token), read, token.receivedAtMs)
            : token;
        const waitMs = backOff(refreshBackoffMs(token, policy), shared);
        log('debug', `refresh: same token back, next check in ${Math.round(waitMs)}ms`);
        return 'same';
      }
      await this.#publish(fresh, this.#originAfterRefresh(token), read);
      log('debug', 'refresh: renewed');
      return 'renewed';
    } finally {
      if (lock !== UNAVAILABLE) await lock.release();
    }
  }

  /**
   * End the era: the token is dropped at once and flights in progress are void. Then `revoke`
   * the token we held and the one the store holds (the fleet is logged out), and delete it
   * from the store. Resolves to what `revoke` said of ours (or of the stored one, without
   * ours). A revocation that fails rejects, and the store keeps the token (logout can be retried).
   */
  async logout(revoke: (token: string) => Promise<boolean>): Promise<boolean> {
    const { store } = this.#o;
    // A share writing to the store would put the token back after the drop: let it finish.
    await this.#share.current?.catch(() => {});
    const local = this.#drop();
    const stored = store ? await store.get() : undefined;
    const shared = stored && stored !== UNAVAILABLE ? stored : undefined;
    let revoked = false;
    if (local && !local.refused) revoked = await revoke(local.value);
    if (shared && !shared.refused && shared.token !== local?.value) {
      const theirs = await revoke(shared.token);
      if (!local) revoked = theirs;
    }
    if (shared) await store?.delete(shared.generation);
    return revoked;
  }

  /** Forget the token locally (a shared session disposed without logout): the store keeps it. */
  #drop(): Token | undefined {
    const token = this.#token;
    this.#era = {};
    this.#token = undefined;
    // Flights in progress are void now; whoever asks after this starts afresh.
    this.#renewal.forget();
    this.#refresh.forget();
    this.#share.forget();
    return token;
  }

  /**
   * A disposed session that shares a store lets go of the token: the store keeps it for the
   * fleet. A token of its own that never reached the store is revoked (`revokeUnshared`): no
   * other session can be using it, and nobody else could ever revoke it. Never rejects.
   */
  async detach(revokeUnshared: boolean): Promise<void> {
    // A look at the store under way decides whether the token is shared: let it finish.
    await this.#share.current?.catch(() => {});
    const token = this.#drop();
    await Promise.all(this.#revoking);
    if (!revokeUnshared || !token || !this.#isUnshared(token)) return;
    try {
      await this.#o.server.revoke(token.value);
      this.#o.log('debug', 'logged out (the token never reached the store, so no other session had it)');
    } catch (error) {
      this.#o.log(
        'warn',
        `logout during dispose failed (${errorText(error)}); the token was discarded locally`,
      );
    }
  }

  /** Revoke a token nobody will use, best effort, without making anyone wait (but dispose). */
  #revokeLater(value: string): void {
    const revoking = this.#o.server.revoke(value).catch(() => {});
    this.#revoking.add(revoking);
    void revoking.finally(() => this.#revoking.delete(revoking));
  }

  #discarded(): RefreshOutcome {
    this.#o.log('debug', 'refresh: discarded (the session logged out or logged in again meanwhile)');
    return 'discarded';
  }

  /** A stored token worth handing out: not refused (by the store or by us), sendable, not expired. */
  #isUsable(stored: StoredToken | undefined): stored is StoredToken {
    if (!stored || stored.refused || !isHeaderSafeToken(stored.token)) return false;
    if (this.#token?.refused && this.#token.value === stored.token) return false;
    if (!this.#o.canLogIn) return true;
    return !mustRenew(this.#make(stored.token, stored.generation, stored.receivedAt), this.#o.clock.now());
  }

  #adopt(stored: StoredToken): Token {
    const current = this.#token;
    if (current?.value === stored.token && current.generation === stored.generation && !current.refused)
      return current;
    // A login of our own (while the store was away) gives way to the fleet's token: revoke it.
    // (Not a renewed one: the server's logout would end the session the fleet's token is in.)
    if (current && this.#isUnshared(current) && current.value !== stored.token) {
      this.#revokeLater(current.value);
    }
    return this.#install(stored.token, stored.generation, stored.receivedAt, 'store');
  }

  /**
   * Install a token just received from the server and store it for the sessions sharing the
   * store (compare-and-set on what we last read). Another writer won: theirs is used, ours revoked.
   */
  async #publish(
    value: string,
    origin: Token['origin'],
    read: StoredToken | undefined,
    receivedAt = this.#o.clock.now(),
  ): Promise<Token> {
    const { store } = this.#o;
    if (!store) return this.#install(value, 0, receivedAt, origin);
    const written = await store.compareAndSet(read?.generation ?? 0, { token: value, receivedAt });
    if (written === UNAVAILABLE) return this.#install(value, 0, receivedAt, origin);
    if (written) return this.#install(value, written.generation, receivedAt, origin);
    const theirs = await store.get();
    if (theirs !== UNAVAILABLE && this.#isUsable(theirs)) {
      // A login of ours that lost is a session nobody will use: revoke it. Never a renewed
      // token: the server's logout ends the whole session it belongs to, theirs included.
      if (origin === 'login') this.#revokeLater(value);
      return this.#adopt(theirs);
    }
    return this.#install(value, 0, receivedAt, origin);
  }

  #make(value: string, generation: number, timeline: Timeline): Token {
    return makeToken(value, generation, timeline, this.#o.clock.now(), this.#o.policy);
  }

  #install(value: string, generation: number, timeline: Timeline, origin: Token['origin']): Token {
    const token: Token = { ...this.#make(value, generation, timeline), origin };
    this.#token = token;
    const inSeconds = Math.round((token.expiresAtMs - this.#o.clock.now()) / 1000);
    const how = token.expiryKnown ? 'expires in' : 'no readable exp, assuming';
    this.#o.log('debug', `token ${timeline === 'claims' ? 'loaded' : 'received'}: ${how} ${inSeconds}s`);
    return token;
  }

  #noKeyError(): TokenExpiredError {
    return this.#token
      ? new TokenExpiredError(
          'The TestMax API refused the session token (expired or revoked) and this session has no API key to log in again',
          { advice: 'pass apiKey or set TESTMAX_API_KEY' },
        )
      : new TokenExpiredError('This session has no token and no API key to log in with', {
          advice: 'pass apiKey or set TESTMAX_API_KEY',
        });
  }
}

export function errorText(error: unknown): string {
  if (error instanceof TestMaxError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
