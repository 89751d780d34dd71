import { createClient, DEFAULT_BASE_URL, type TestMaxClient, type TradingAccount } from '@testmax/client';
import type { Middleware } from 'openapi-fetch';
import { loadSessionCredentials } from '#platform';
import { abortReason, untilAborted } from './abort.js';
import { isTradingAccount, selectAccount } from './accounts.js';
import { sessionFetch } from './authenticated.js';
import { normalizeBaseUrl } from './base-url.js';
import { ApiError, ConfigError, TokenExpiredError } from './errors.js';
import { checkTokenOption } from './header-token.js';
import { errorText, loggedOutError, type TokenKeeper } from './keeper.js';
import type { LogFn } from './logger.js';
import { createMiddleware } from './middleware.js';
import type { AuthSessionOptions, FromEnvOptions } from './options.js';
import { REDACTED } from './redact.js';
import { type FetchInput, KeptRequest } from './request.js';
import { authenticatedCall, createCore, keeperServer, type SessionCore } from './session-core.js';
import { checkTokenStore } from './store-support.js';
import type { Token } from './token.js';

/** What `validate()` found out. */
export interface ValidateResult {
  /** True when the server issued a new token (the session now uses it). */
  renewed: boolean;
  /** Local time at which the current token expires. */
  expiresAt: Date;
}

/** What `logout()` did on the server. */
export interface LogoutResult {
  /**
   * True when the server revoked the token now; false when there was no token to revoke or
   * the server already refused it (expired or revoked before).
   */
  revoked: boolean;
}

export interface CallOptions {
  /** Stop waiting when this fires. A shared login or refresh keeps going for other callers. */
  signal?: AbortSignal;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
// Where the runtime lacks Symbol.asyncDispose (older Safari), the key TypeScript's own
// `await using` helper falls back to, so a polyfill loaded later still finds the method.
const ASYNC_DISPOSE: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

const tokenValue = (token: Token) => token.value;

const present = (value: string | undefined) =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/**
 * A logged-in TestMax session that keeps its token valid: it logs in on first use, refreshes
 * through `Auth/validate` in the background, logs in again past expiry or after a 401, and
 * shares one request among any number of concurrent callers — and, given a shared `store`,
 * among every session of the fleet. Needs only `fetch`: it works in browsers, Deno, Bun and
 * workers; `fromEnv()` needs Node.
 */
export class AuthSession {
  readonly userName: string;
  readonly baseUrl: string;
  readonly accountName: string | undefined;
  /** The config-file profile, when the session was made from one (see `AuthSession.fromEnv`). */
  readonly profile: string | undefined;

  #apiKey: string | undefined;
  readonly #core: SessionCore;
  readonly #keeper: TokenKeeper;
  readonly #log: LogFn;
  readonly #logoutOnDispose: boolean;
  #client: TestMaxClient | undefined;
  #middleware: Middleware | undefined;
  #account: TradingAccount | undefined;
  /** The `Account/search` behind `accountInfo` while it runs: concurrent readers share it. */
  #accountLookup: Promise<TradingAccount> | undefined;

  constructor(options: AuthSessionOptions) {
    const { userName, apiKey, token } = options ?? ({} as AuthSessionOptions);
    if (typeof userName !== 'string' || userName.trim() === '') {
      throw new ConfigError('AuthSession needs a userName (the account e-mail)', {
        reason: 'missing',
        advice: 'pass it, or set TESTMAX_USERNAME and use AuthSession.fromEnv()',
      });
    }
    const key = present(apiKey);
    const initialToken = present(token);
    if (initialToken) checkTokenOption(initialToken);
    // Without a key the session uses a token it is given, or the one a shared store holds.
    if (!key && !initialToken && options.store === undefined) {
      throw new ConfigError('AuthSession needs an apiKey (or a previously issued token)', {
        reason: 'missing',
        advice: 'pass it, or set TESTMAX_API_KEY and use AuthSession.fromEnv()',
      });
    }
    if (options.store !== undefined) checkTokenStore(options.store);
    this.userName = userName.trim();
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    this.accountName = present(options.accountName);
    this.profile = present(options.profile);
    this.#apiKey = key;
    this.#logoutOnDispose = options.logoutOnDispose ?? options.store === undefined;
    const secrets = () => this.#secrets();
    const core = createCore(
      options,
      { baseUrl: this.baseUrl, userName: this.userName, profile: this.profile },
      {
        secrets,
        apiKey: () => this.#apiKey,
      },
    );
    this.#log = core.log;
    this.#core = core;
    this.#keeper = core.keeper;
    if (initialToken) this.#keeper.seed(initialToken);
  }

  /**
   * A session from the environment, `.env` and the config file (`loadCredentials()`); any
   * other session option passes through.
   *
   * **In Node** (`@testmax/auth` and `@testmax/auth/node`): the credentials chain of
   * `loadCredentials()`: options, `TESTMAX_*` variables, `.env` in the working directory, then
   * the config file (with `profile` selecting one of its profiles).
   *
   * **In browsers and workers** (the runtime-neutral build of `@testmax/auth`): there is no
   * environment to read, so it throws a `ConfigError`; pass the credentials to the constructor.
   */
  static fromEnv(options: FromEnvOptions = {}): AuthSession {
    const {
      env,
      cwd,
      configPath,
      onWarning,
      userName,
      apiKey,
      accountName,
      baseUrl,
      profile,
      optionNames,
      ...sessionOptions
    } = options;
    const found = loadSessionCredentials({
      env,
      cwd,
      configPath,
      onWarning,
      userName,
      apiKey,
      accountName,
      baseUrl,
      profile,
      optionNames,
    });
    return new AuthSession({ ...sessionOptions, ...found });
  }

  /** Local time at which the current token expires; `undefined` before the first login. */
  get expiresAt(): Date | undefined {
    const token = this.#keeper.current;
    return token ? new Date(token.expiresAtMs) : undefined;
  }

  /**
   * Whether `expiresAt` comes from the token (`exp`), or is assumed (24 h) for a token without
   * a readable expiry; `undefined` without a token.
   */
  get expiryKnown(): boolean | undefined {
    return this.#keeper.current?.expiryKnown;
  }

  /** True while the session holds a token it believes valid. */
  get isAuthenticated(): boolean {
    const token = this.#keeper.current;
    return token !== undefined && !token.refused && this.#core.api.clock.now() < token.renewByMs;
  }

  /** Log in now with the API key (joining a login already in flight) and keep the new token. */
  async authenticate(options: CallOptions = {}): Promise<void> {
    if (!this.#apiKey) {
      throw new TokenExpiredError('This session has no API key, so it cannot log in', {
        advice: 'pass apiKey or set TESTMAX_API_KEY',
      });
    }
    if (options.signal?.aborted) throw abortReason(options.signal);
    await untilAborted(this.#keeper.renew(true), options.signal);
  }

  /**
   * A token good to use now: the current one (refreshing it in the background once it is
   * `refreshAt` through its life), or a new one from a login when there is none, it expired or
   * the server refused it. Concurrent callers share one login.
   */
  getSessionToken(options: CallOptions = {}): Promise<string> {
    return this.#keeper.token(options.signal).then(tokenValue);
  }

  /**
   * Ask the server about the current token now (logging in first if there is none). A renewed
   * token replaces the current one. Throws `TokenExpiredError` when the server refuses it.
   */
  async validate(options: CallOptions = {}): Promise<ValidateResult> {
    const { signal } = options;
    const token = await this.#keeper.token(signal);
    if (signal?.aborted) throw abortReason(signal);
    const outcome = await untilAborted(this.#keeper.refresh(token, true), signal);
    if (outcome === 'refused') {
      throw new TokenExpiredError('The TestMax API refused the session token (expired or revoked)', {
        advice: 'log in again with authenticate()',
      });
    }
    const current = this.#keeper.current;
    if (!current) throw loggedOutError();
    return { renewed: outcome === 'renewed' || current !== token, expiresAt: new Date(current.expiresAtMs) };
  }

  /**
   * End the session: the local token is dropped at once (so nothing uses it while the request
   * is in flight, and a refresh or login still running cannot bring it back), then
   * `Auth/logout` revokes it and it leaves the store (every session sharing it is logged out).
   * Idempotent: without a token it sends nothing. A token the server already refuses counts
   * as logged out.
   */
  async logout(options: CallOptions = {}): Promise<LogoutResult> {
    this.#account = undefined;
    this.#accountLookup = undefined;
    const server = keeperServer(this.#core, () => this.#apiKey);
    const revoked = await this.#keeper.logout(async (token) => {
      const done = await server.revoke(token, options.signal);
      this.#log('debug', done ? 'logged out' : 'logged out (the token was already refused)');
      return done;
    });
    return { revoked };
  }

  /** The user's trading accounts (`Account/search`), all of them unless `onlyActive`. */
  async accounts(options: CallOptions & { onlyActive?: boolean } = {}): Promise<TradingAccount[]> {
    const body = await authenticatedCall(
      this.#core,
      '/Account/search',
      { onlyActiveAccounts: options.onlyActive ?? false },
      options.signal,
    );
    if (!Array.isArray(body.accounts)) {
      throw new ApiError('The TestMax API answered Account/search without an accounts list', {
        advice: 'retry later',
      });
    }
    return body.accounts.filter(isTradingAccount);
  }

  /**
   * The account this session works with: the one named `accountName`, else the first that
   * can trade. Fetched once, then remembered until logout. Rejects with `AccountNotFoundError`
   * (listing the available names) when there is no such account.
   */
  get accountInfo(): Promise<TradingAccount> {
    if (this.#account) return Promise.resolve(this.#account);
    if (this.#accountLookup) return this.#accountLookup;
    const era = this.#keeper.era;
    const lookup = this.accounts()
      .then((list) => {
        const account = selectAccount(list, this.accountName, this.#secrets());
        if (era === this.#keeper.era) this.#account = account;
        return account;
      })
      .finally(() => {
        if (this.#accountLookup === lookup) this.#accountLookup = undefined;
      });
    this.#accountLookup = lookup;
    return lookup;
  }

  /**
   * A `fetch` that authenticates: it adds the bearer (only for URLs under `baseUrl`), keeps the
   * token fresh, retries network errors, 408, 429 and 5xx, and after a 401 (bare, or HTTP 200
   * with `success: false` and errorCode 1/3) logs in again and retries once. Relative paths
   * resolve against `baseUrl`. Network failures reject with `NetworkError`/`TimeoutError`.
   */
  readonly fetch = (input: FetchInput, init?: RequestInit): Promise<Response> =>
    sessionFetch(this.#core, input, init, false);

  /**
   * openapi-fetch middleware: adds the bearer, keeps the token fresh, and after a 401 logs in
   * again and re-sends the request once (through the client's own `fetch`). Retries of network
   * errors are `session.fetch`'s job: use `session.client` to get both.
   */
  get middleware(): Middleware {
    this.#middleware ??= createMiddleware(this.#core);
    return this.#middleware;
  }

  /** A typed client for every TestMax endpoint, authenticated through `session.fetch`. */
  get client(): TestMaxClient {
    this.#client ??= createClient({
      baseUrl: this.baseUrl,
      // openapi-fetch builds each call's Request with it: the body string stays at hand.
      Request: KeptRequest,
      fetch: (request: Request) => sessionFetch(this.#core, request, undefined, true),
    } as Parameters<typeof createClient>[0]);
    return this.#client;
  }

  /**
   * `await using session = ...`: logs out at the end of the block, or, for a session given a
   * shared `store` (unless `logoutOnDispose`), detaches and leaves the token to the fleet.
   * Dispose never throws: a logout that fails (network down) is logged as a warning, since the
   * token is dropped locally anyway and an error here would mask the block's own.
   */
  async [ASYNC_DISPOSE](): Promise<void> {
    if (!this.#logoutOnDispose) {
      this.#keeper.detach();
      return;
    }
    try {
      await this.logout();
    } catch (error) {
      this.#log(
        'warn',
        `logout during dispose failed (${errorText(error)}); the token was discarded locally`,
      );
    }
  }

  toJSON(): Record<string, unknown> {
    return {
      userName: this.userName,
      baseUrl: this.baseUrl,
      accountName: this.accountName,
      profile: this.profile,
      apiKey: this.#apiKey ? REDACTED : undefined,
      token: this.#keeper.current ? REDACTED : undefined,
      expiresAt: this.expiresAt?.toISOString(),
    };
  }

  toString(): string {
    return `AuthSession(${this.userName} @ ${this.baseUrl})`;
  }

  [INSPECT](): string {
    return `AuthSession ${JSON.stringify(this.toJSON())}`;
  }

  #secrets(): (string | undefined)[] {
    return [this.#apiKey, this.#keeper?.current?.value];
  }
}
