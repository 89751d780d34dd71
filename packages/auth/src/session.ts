import { createClient, DEFAULT_BASE_URL, type TestMaxClient, type TradingAccount } from '@testmax/client';
import type { Middleware } from 'openapi-fetch';
import { abortReason, untilAborted } from './abort.js';
import { isTradingAccount, selectAccount } from './accounts.js';
import { normalizeBaseUrl } from './base-url.js';
import type { Clock } from './clock.js';
import {
  type Envelope,
  interpret,
  notJsonError,
  type Operation,
  type Outcome,
  tokenFrom,
} from './envelope.js';
import { ApiError, AuthenticationError, ConfigError, TestMaxError, TokenExpiredError } from './errors.js';
import { checkTokenOption } from './header-token.js';
import { createLog, type LogFn } from './logger.js';
import type { AuthSessionOptions, FromEnvOptions } from './options.js';
import { REDACTED } from './redact.js';
import { isRedirect, judgeRedirect, type RedirectRule } from './redirect.js';
import {
  baseMatcher,
  decodeText,
  type FetchInput,
  isRefusal,
  isUnauthorizedResponse,
  type PreparedRequest,
  prepareRequest,
  rebuildResponse,
  refusesInBody,
  toOutgoing,
} from './request.js';
import { isSafeToRepeat } from './retry.js';
import { SingleFlight } from './single-flight.js';
import {
  type Anchor,
  backoffMs,
  type LifecyclePolicy,
  resolveLifecycle,
  type TokenState,
  tokenState,
} from './token-state.js';
import { createTransport, type Outgoing, send, type TransportConfig } from './transport.js';

/** The SDK's own calls never follow a redirect (see redirect.ts). */
const REFUSE_REDIRECTS: RedirectRule = { kind: 'refuse' };

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

type RefreshOutcome = 'renewed' | 'same' | 'rejected' | 'discarded';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
// Where the runtime lacks Symbol.asyncDispose (older Safari), the key TypeScript's own
// `await using` helper falls back to, so a polyfill loaded later still finds the method.
const ASYNC_DISPOSE: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

function errorText(error: unknown): string {
  if (error instanceof TestMaxError) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * A logged-in TestMax session that keeps its token valid: it logs in on first use, refreshes
 * through `Auth/validate` in the background, logs in again past expiry or after a 401, and
 * shares one request among any number of concurrent callers.
 *
 * Needs only `fetch`: this class works in browsers, Deno, Bun and workers.
 */
export class AuthSession {
  readonly userName: string;
  readonly baseUrl: string;
  readonly accountName: string | undefined;
  /** The config-file profile, when the session was made from one (see `AuthSession.fromEnv`). */
  readonly profile: string | undefined;

  #apiKey: string | undefined;
  #state: TokenState | undefined;
  #generation = 0;
  /** Bumped by logout: a login that started before it must not install its token. */
  #epoch = 0;
  readonly #logins = new SingleFlight<TokenState>();
  readonly #refreshes = new SingleFlight<RefreshOutcome>();
  readonly #transport: TransportConfig;
  readonly #policy: LifecyclePolicy;
  readonly #clock: Clock;
  readonly #log: LogFn;
  #client: TestMaxClient | undefined;
  #account: TradingAccount | undefined;
  /** The `Account/search` behind `accountInfo` while it runs: concurrent readers share it. */
  #accountLookup: Promise<TradingAccount> | undefined;
  readonly #isUnderBase: (url: URL) => boolean;
  /** Buffered bodies of requests that went through `middleware`, for the retry after a 401. */
  readonly #middlewareRequests = new WeakMap<
    Request,
    { prepared: PreparedRequest; generation: number; epoch: number }
  >();

  constructor(options: AuthSessionOptions) {
    const { userName, apiKey, token } = options ?? ({} as AuthSessionOptions);
    if (typeof userName !== 'string' || userName.trim() === '') {
      throw new ConfigError(
        'AuthSession needs a userName (the account e-mail); pass it, or set TESTMAX_USERNAME and use AuthSession.fromEnv().',
        { reason: 'missing' },
      );
    }
    const key = typeof apiKey === 'string' && apiKey.trim() !== '' ? apiKey.trim() : undefined;
    const initialToken = typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
    if (initialToken) checkTokenOption(initialToken);
    if (!key && !initialToken) {
      throw new ConfigError(
        'AuthSession needs an apiKey (or a previously issued token); pass it, or set TESTMAX_API_KEY and use AuthSession.fromEnv().',
        { reason: 'missing' },
      );
    }
    this.userName = userName.trim();
    this.baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
    this.accountName = options.accountName?.trim() || undefined;
    this.profile = options.profile?.trim() || undefined;
    this.#apiKey = key;
    this.#policy = resolveLifecycle(options.lifecycle, options.refreshAt);
    this.#log = createLog(options.logger, () => this.#secrets());
    this.#transport = createTransport(options, this.#log, () => this.#secrets());
    this.#clock = this.#transport.clock;
    this.#isUnderBase = baseMatcher(this.baseUrl);
    if (initialToken) this.#install(initialToken, 'claims');
  }

  /**
   * Create a session from the environment, `.env` and the config file. Reading those needs
   * Node: this build (for browsers and workers) cannot, so it always throws a ConfigError.
   * In Node, `import { AuthSession } from '@testmax/auth'` (or `'@testmax/auth/node'`) gets the
   * version that works.
   */
  static fromEnv(_options?: FromEnvOptions): AuthSession {
    throw new ConfigError(
      'AuthSession.fromEnv() reads environment variables and files, which this build of @testmax/auth (for browsers and workers) cannot do; import it from "@testmax/auth/node", or pass { userName, apiKey } to new AuthSession().',
    );
  }

  /** Local time at which the current token expires; `undefined` before the first login. */
  get expiresAt(): Date | undefined {
    return this.#state ? new Date(this.#state.expiresAt) : undefined;
  }

  /** True while the session holds a token it believes valid. */
  get isAuthenticated(): boolean {
    const s = this.#state;
    return s !== undefined && !s.rejected && this.#clock.now() < s.hardExpiry;
  }

  /** Log in now with the API key (joining a login already in flight) and keep the new token. */
  async authenticate(options: CallOptions = {}): Promise<void> {
    if (!this.#apiKey) {
      throw new TokenExpiredError(
        'This session has no API key, so it cannot log in; pass apiKey or set TESTMAX_API_KEY.',
      );
    }
    if (options.signal?.aborted) throw abortReason(options.signal);
    await untilAborted(this.#login(), options.signal);
  }

  /**
   * A token good to use now: the current one (refreshing it in the background once it is
   * `refreshAt` through its life), or a new one from a login when there is none, it expired or
   * the server refused it. Concurrent callers share one login.
   */
  async getSessionToken(options: CallOptions = {}): Promise<string> {
    return (await this.#currentToken(options.signal)).token;
  }

  /**
   * Ask the server about the current token now (logging in first if there is none). A renewed
   * token replaces the current one. Throws `TokenExpiredError` when the server refuses it.
   */
  async validate(options: CallOptions = {}): Promise<ValidateResult> {
    // Logs in first when there is no usable token, so there is always one to ask about.
    await this.#currentToken(options.signal);
    const state = this.#state;
    if (!state) throw this.#loggedOutError();
    if (options.signal?.aborted) throw abortReason(options.signal);
    const outcome = await untilAborted(this.#refresh(state), options.signal);
    if (outcome === 'rejected') {
      throw new TokenExpiredError(
        'The TestMax API refused the session token (expired or revoked); log in again with authenticate().',
      );
    }
    const current = this.#state;
    if (!current) throw this.#loggedOutError();
    return {
      renewed: outcome === 'renewed' || current.generation !== state.generation,
      expiresAt: new Date(current.expiresAt),
    };
  }

  /**
   * End the session: the local token is dropped at once (so nothing uses it while the request
   * is in flight, and a refresh or login still running cannot bring it back), then
   * `Auth/logout` revokes it. Idempotent: without a token it sends nothing. A token the server
   * already refuses counts as logged out.
   */
  async logout(options: CallOptions = {}): Promise<LogoutResult> {
    const state = this.#state;
    this.#epoch++;
    this.#generation++;
    this.#state = undefined;
    this.#account = undefined;
    this.#accountLookup = undefined;
    // Runs in flight are void now; whoever asks after this logout starts afresh.
    this.#logins.forget();
    this.#refreshes.forget();
    if (!state || state.rejected) return { revoked: false };
    // A refused token (401 either way) is as logged out as it gets: not an error, only not
    // "revoked" (the server had already stopped honouring it).
    const outcome = await this.#callApi('/Auth/logout', {}, 'authenticated', state.token, options.signal);
    this.#log('debug', outcome.kind === 'ok' ? 'logged out' : 'logged out (the token was already refused)');
    return { revoked: outcome.kind === 'ok' };
  }

  /** The user's trading accounts (`Account/search`), all of them unless `onlyActive`. */
  async accounts(options: CallOptions & { onlyActive?: boolean } = {}): Promise<TradingAccount[]> {
    const body = await this.#authenticatedCall(
      '/Account/search',
      { onlyActiveAccounts: options.onlyActive ?? false },
      options.signal,
    );
    if (!Array.isArray(body.accounts)) {
      throw new ApiError('The TestMax API answered Account/search without an accounts list; retry later.');
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
    const epoch = this.#epoch;
    const lookup = this.accounts()
      .then((list) => {
        const account = selectAccount(list, this.accountName, this.#secrets());
        if (epoch === this.#epoch) this.#account = account;
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
    this.#fetch(input, init, false);

  /**
   * `strict` (session.client): a 2xx answer from the TestMax API that is empty or not JSON
   * rejects with an ApiError, since openapi-fetch would otherwise throw a bare SyntaxError or
   * return neither data nor error.
   */
  async #fetch(input: FetchInput, init: RequestInit | undefined, strict: boolean): Promise<Response> {
    // Read first, before any await: a logout() right after this call must count as after it.
    const epoch = this.#epoch;
    const prepared = await prepareRequest(input, init, this.baseUrl);
    const { url, method, signal } = prepared;
    const underBase = this.#isUnderBase(url);
    // Which TestMax endpoints are read-only is known; another host's are not.
    const { retry } = this.#transport;
    const idempotent = underBase
      ? isSafeToRepeat(method, url.pathname, retry)
      : retry.methods.includes(method);
    if (!underBase) {
      // Another host: nothing of ours goes with it, so it goes out exactly as the caller asked.
      return (await send(this.#transport, toOutgoing(prepared, undefined), { signal, idempotent })).response;
    }
    // The API: session.client's typed calls are the SDK's own (no operation answers with a
    // redirect), so any redirect is an error; session.fetch follows one only within the API.
    const redirects = strict ? REFUSE_REDIRECTS : this.#redirectsFor(prepared);
    if (url.pathname.endsWith('/Auth/loginKey')) {
      return (await send(this.#transport, toOutgoing(prepared, undefined), { signal, idempotent, redirects }))
        .response;
    }
    // What errorCode 1 or 3 means depends on the endpoint (on Order/place, 3 is insufficient
    // funds): only where it means "who are you?" is a 200 with success: false a refused token.
    const bodyRefusal = refusesInBody(url.pathname);
    for (let attempt = 1; ; attempt++) {
      const { token, generation } = await this.#currentToken(signal, epoch);
      // The body is read once, inside the attempt (so a cut body is timed out and retried),
      // as bytes: the refusal and strict checks decode what they need, the caller gets it all.
      const {
        response,
        bytes = new ArrayBuffer(0),
        redirected = false,
      } = await send(this.#transport, toOutgoing(prepared, token), {
        signal,
        read: 'bytes',
        idempotent,
        redirects,
      });
      const contentType = response.headers.get('content-type');
      // After a logout the refusal is expected: logging in again would undo the logout.
      if (
        attempt === 1 &&
        epoch === this.#epoch &&
        isRefusal(response.status, contentType, bytes, bodyRefusal)
      ) {
        this.#log('debug', `${method} ${url.pathname} token refused; logging in again and retrying once`);
        this.#markRejected(generation);
        continue;
      }
      if (strict && response.ok && response.status !== 204 && method !== 'HEAD') {
        const text = decodeText(bytes);
        try {
          JSON.parse(text);
        } catch {
          throw notJsonError(`${method} ${url.pathname}`, text, contentType ?? '', response.status);
        }
      }
      return rebuildResponse(response, bytes, method === 'HEAD', redirected);
    }
  }

  /** Follow redirects only to URLs under the base, as the caller's `redirect` allows. */
  #redirectsFor(prepared: PreparedRequest): RedirectRule {
    return { kind: 'within', isAllowed: this.#isUnderBase, mode: prepared.init.redirect };
  }

  /**
   * openapi-fetch middleware: adds the bearer, keeps the token fresh, and after a 401 logs in
   * again and re-sends the request once (through the client's own `fetch`). Retries of network
   * errors are `session.fetch`'s job: use `session.client` to get both.
   */
  readonly middleware: Middleware = {
    onRequest: async ({ request }) => {
      const url = new URL(request.url);
      // Decided before reading the body: a request left alone must keep it.
      if (!this.#isUnderBase(url) || url.pathname.endsWith('/Auth/loginKey')) return request;
      const epoch = this.#epoch;
      const prepared = await prepareRequest(request, undefined, this.baseUrl);
      const { token, generation } = await this.#currentToken(prepared.signal, epoch);
      const outgoing = this.#requestFor(prepared, token);
      this.#middlewareRequests.set(outgoing, { prepared, generation, epoch });
      return outgoing;
    },
    onResponse: async ({ request, response, options }) => {
      const sent = this.#middlewareRequests.get(request);
      if (!sent) return undefined;
      const followed = await this.#followRedirects(sent, request, response, options.fetch);
      // After a logout the refusal is expected: logging in again would undo the logout.
      if (sent.epoch !== this.#epoch) return followed.response === response ? undefined : followed.response;
      if (!(await isUnauthorizedResponse(followed.response, refusesInBody(followed.prepared.url.pathname))))
        return followed.response === response ? undefined : followed.response;
      await followed.response.body?.cancel().catch(() => {});
      this.#markRejected(sent.generation);
      const { token } = await this.#currentToken(sent.prepared.signal, sent.epoch);
      return options.fetch(this.#requestFor(followed.prepared, token));
    },
  };

  /**
   * The middleware's requests go out with `redirect: 'manual'` (the client's own fetch sends
   * them): a redirect within the API is followed here, with the bearer; any other is an error.
   */
  async #followRedirects(
    sent: { prepared: PreparedRequest },
    request: Request,
    response: Response,
    fetchImpl: (request: Request) => Promise<Response>,
  ): Promise<{ response: Response; prepared: PreparedRequest }> {
    let current = response;
    let prepared = sent.prepared;
    const rule = this.#redirectsFor(prepared);
    for (let hops = 0; ; hops++) {
      if (!isRedirect(current) && !current.redirected) return { response: current, prepared };
      const out: Outgoing = { ...prepared, init: prepared.init };
      const verdict = judgeRedirect(rule, current, out, hops, `${request.method} ${prepared.url.pathname}`);
      if (verdict.kind === 'deliver') return { response: current, prepared };
      await current.body?.cancel().catch(() => {});
      if (verdict.kind === 'fail') throw verdict.error;
      const { url, method, headers, body } = verdict.next;
      prepared = { ...prepared, url, method, headers, body };
      const { token } = await this.#currentToken(prepared.signal);
      current = await fetchImpl(this.#requestFor(prepared, token));
    }
  }

  /** A typed client for every TestMax endpoint, authenticated through `session.fetch`. */
  get client(): TestMaxClient {
    this.#client ??= createClient({
      baseUrl: this.baseUrl,
      fetch: (request: Request) => this.#fetch(request, undefined, true),
    });
    return this.#client;
  }

  /**
   * `await using session = ...` logs out at the end of the block. Dispose never throws: a
   * logout that fails (network down) is logged as a warning, since the token is dropped
   * locally anyway and an error here would mask the block's own.
   */
  async [ASYNC_DISPOSE](): Promise<void> {
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
      token: this.#state ? REDACTED : undefined,
      expiresAt: this.expiresAt?.toISOString(),
    };
  }

  toString(): string {
    return `AuthSession(${this.userName} @ ${this.baseUrl})`;
  }

  [INSPECT](): string {
    return `AuthSession ${JSON.stringify(this.toJSON())}`;
  }

  // --- lifecycle -------------------------------------------------------------------------

  #secrets(): (string | undefined)[] {
    return [this.#apiKey, this.#state?.token];
  }

  #install(token: string, anchor: Anchor): TokenState {
    const state = tokenState(token, ++this.#generation, this.#clock.now(), anchor, this.#policy);
    this.#state = state;
    const inSeconds = Math.round((state.expiresAt - this.#clock.now()) / 1000);
    this.#log(
      'debug',
      `token ${anchor === 'receipt' ? 'received' : 'loaded'}: ${state.opaque ? 'no readable exp, assuming' : 'expires in'} ${inSeconds}s`,
    );
    return state;
  }

  #loggedOutError(): AuthenticationError {
    return new AuthenticationError(
      'The session was logged out while the request was waiting; call authenticate() to start a new one.',
    );
  }

  /** Mark the token of `generation` refused, unless a newer token already replaced it. */
  #markRejected(generation: number): void {
    if (this.#state && this.#state.generation === generation) this.#state.rejected = true;
  }

  /**
   * @param epoch the `#epoch` when the caller's call began: a call that began before a logout
   * must not log in again on its own (that would undo the logout).
   */
  async #currentToken(
    signal: AbortSignal | undefined,
    epoch?: number,
  ): Promise<{ token: string; generation: number }> {
    const state = this.#state;
    if (state && !state.rejected) {
      const now = this.#clock.now();
      // Without a key a token past its expiry is still worth sending: only the server knows.
      if (now < state.hardExpiry || !this.#apiKey) {
        if (now >= state.nextRefreshAt) this.#refreshInBackground(state);
        return { token: state.token, generation: state.generation };
      }
    }
    if (signal?.aborted) throw abortReason(signal);
    if (epoch !== undefined && epoch !== this.#epoch) throw this.#loggedOutError();
    if (!this.#apiKey) {
      throw new TokenExpiredError(
        state
          ? 'The TestMax API refused the session token (expired or revoked) and this session has no API key to log in again; pass apiKey or set TESTMAX_API_KEY.'
          : 'This session has no token and no API key to log in with; pass apiKey or set TESTMAX_API_KEY.',
      );
    }
    const fresh = await untilAborted(this.#login(), signal);
    return { token: fresh.token, generation: fresh.generation };
  }

  #login(): Promise<TokenState> {
    // Read now, not when the flight starts: a logout in between must void this login.
    const epoch = this.#epoch;
    return this.#logins.run(async () => {
      const apiKey = this.#apiKey as string;
      const outcome = await this.#callApi('/Auth/loginKey', { userName: this.userName, apiKey }, 'login');
      const token = outcome.kind === 'ok' ? tokenFrom(outcome.body, 'POST /Auth/loginKey') : undefined;
      if (!token) {
        throw new ApiError('The TestMax API reported a successful login but sent no token; retry later.');
      }
      if (epoch !== this.#epoch) {
        // logout() won the race: this token must not come back. Revoke it, best effort.
        this.#callApi('/Auth/logout', {}, 'authenticated', token).catch(() => {});
        throw this.#loggedOutError();
      }
      this.#log('debug', 'logged in');
      return this.#install(token, 'receipt');
    });
  }

  #refreshInBackground(state: TokenState): void {
    if (this.#refreshes.inFlight) return;
    this.#refresh(state).catch((error: unknown) => {
      this.#log(
        'warn',
        `background token refresh failed (${errorText(error)}); the current token keeps serving until it expires`,
      );
    });
  }

  #refresh(state: TokenState): Promise<RefreshOutcome> {
    const epoch = this.#epoch;
    return this.#refreshes.run(async () => {
      const current = this.#state;
      if (!current || current.generation !== state.generation) return 'discarded';
      this.#log('debug', 'refresh: started');
      let outcome: Outcome;
      let fresh: string | undefined;
      try {
        outcome = await this.#callApi('/Auth/validate', {}, 'authenticated', current.token);
        fresh = outcome.kind === 'ok' ? tokenFrom(outcome.body, 'POST /Auth/validate') : undefined;
      } catch (error) {
        if (this.#state === current)
          current.nextRefreshAt = this.#clock.now() + backoffMs(current, this.#policy);
        throw error;
      }
      // A logout or a login finished meanwhile: this answer is about a token we no longer hold.
      if (this.#state !== current) {
        const orphan = fresh;
        if (orphan && orphan !== current.token && epoch !== this.#epoch) {
          // A token renewed for a session that logged out must not stay valid: revoke it.
          this.#callApi('/Auth/logout', {}, 'authenticated', orphan).catch(() => {});
        }
        this.#log('debug', 'refresh: discarded (the session logged out or logged in again meanwhile)');
        return 'discarded';
      }
      if (outcome.kind === 'unauthorized') {
        current.rejected = true;
        this.#log('debug', 'refresh: the server refused the token; the next call logs in again');
        return 'rejected';
      }
      if (!fresh || fresh === current.token) {
        const wait = backoffMs(current, this.#policy);
        current.nextRefreshAt = this.#clock.now() + wait;
        this.#log('debug', `refresh: same token back, next check in ${Math.round(wait)}ms`);
        return 'same';
      }
      this.#install(fresh, 'receipt');
      this.#log('debug', 'refresh: renewed');
      return 'renewed';
    });
  }

  async #authenticatedCall(path: string, body: unknown, signal: AbortSignal | undefined): Promise<Envelope> {
    const epoch = this.#epoch;
    for (let attempt = 1; ; attempt++) {
      const { token, generation } = await this.#currentToken(signal, epoch);
      const outcome = await this.#callApi(path, body, 'authenticated', token, signal);
      if (outcome.kind === 'ok') return outcome.body;
      // Refused because logout() revoked the token meanwhile: logging in again would undo it.
      if (epoch !== this.#epoch) throw this.#loggedOutError();
      if (attempt > 1) {
        throw new TokenExpiredError(
          `The TestMax API refused a freshly issued session token for POST ${path}; check the base URL, then try again later.`,
        );
      }
      this.#log('debug', `POST ${path} token refused; logging in again and retrying once`);
      this.#markRejected(generation);
    }
  }

  async #callApi(
    path: string,
    body: unknown,
    operation: Operation,
    token?: string,
    signal?: AbortSignal,
  ): Promise<Outcome> {
    const url = new URL(`${this.baseUrl}${path}`);
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`);
    const received = await send(
      this.#transport,
      { url, method: 'POST', headers, body: JSON.stringify(body) },
      { signal, read: 'text', redirects: REFUSE_REDIRECTS },
    );
    return interpret(received, { operation, label: `POST ${path}`, secrets: this.#secrets() });
  }

  #requestFor(prepared: PreparedRequest, token: string): Request {
    const out = toOutgoing(prepared, token);
    return new Request(out.url, {
      ...out.init,
      // Followed (or refused) by the middleware itself: see #followRedirects.
      redirect: 'manual',
      method: out.method,
      headers: out.headers,
      ...(out.body === undefined ? {} : { body: out.body }),
      ...(prepared.signal ? { signal: prepared.signal } : {}),
    });
  }
}
