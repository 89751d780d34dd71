/**
 * What every request of a session goes through, and the SDK's own calls (login, validate,
 * logout, `accounts()`): JSON envelopes read once, redirects refused, a refused token retried
 * once through the one authenticated path (authenticated.ts).
 */
import type { TransportConfig } from './attempt.js';
import { authenticated } from './authenticated.js';
import { baseUrlMatcher } from './base-url.js';
import { type Endpoint, endpointOf } from './endpoints.js';
import { type Envelope, REFUSED, readEnvelope, tokenFrom } from './envelope.js';
import { ApiError, TokenExpiredError } from './errors.js';
import { type KeeperServer, loggedOutError, TokenKeeper } from './keeper.js';
import { createLog, type LogFn } from './logger.js';
import { type AuthSessionOptions, resolveLifecycle } from './options.js';
import type { RedirectRule } from './redirect.js';
import { type ApiRequest, jsonRequest } from './request.js';
import { createTransport, send } from './send.js';
import { sessionLimiter } from './session-limiter.js';
import { StoreLink } from './store-link.js';
import type { Token } from './token.js';
import type { TokenScope } from './token-store.js';

/** The SDK's own calls never follow a redirect (see redirect.ts). */
export const REFUSE_REDIRECTS: RedirectRule = { kind: 'refuse' };

export interface SessionCore {
  readonly baseUrl: string;
  readonly userName: string;
  readonly keeper: TokenKeeper;
  /** Requests to the API (rate-limited when the session is). */
  readonly api: TransportConfig;
  /** Requests to other hosts through `session.fetch`: as the caller asked, nothing of ours. */
  readonly other: TransportConfig;
  readonly isUnderBase: (url: URL) => boolean;
  readonly log: LogFn;
  readonly secrets: () => (string | undefined)[];
}

/** One POST of the SDK's own, with `token` as the bearer (none for a login). */
async function ownCall(
  core: SessionCore,
  path: string,
  body: unknown,
  token: string | undefined,
  signal?: AbortSignal,
): Promise<{ envelope: Envelope | typeof REFUSED; endpoint: Endpoint; label: string }> {
  const request: ApiRequest = { ...jsonRequest(new URL(`${core.baseUrl}${path}`), 'POST', body), signal };
  if (token !== undefined) request.headers.set('authorization', `Bearer ${token}`);
  const endpoint = endpointOf(path);
  const label = `POST ${path}`;
  const received = await send(core.api, request, {
    read: 'text',
    idempotent: true,
    redirects: REFUSE_REDIRECTS,
  });
  return { envelope: readEnvelope(received, { endpoint, label, secrets: core.secrets() }), endpoint, label };
}

/** The server as the keeper sees it. */
export function keeperServer(core: SessionCore, apiKey: () => string | undefined): KeeperServer {
  return {
    async logIn() {
      const { envelope, label } = await ownCall(
        core,
        '/Auth/loginKey',
        { userName: core.userName, apiKey: apiKey() },
        undefined,
      );
      const token = envelope === REFUSED ? undefined : tokenFrom(envelope, label);
      if (!token) {
        throw new ApiError('The TestMax API reported a successful login but sent no token', {
          advice: 'retry later',
        });
      }
      return token;
    },
    async validate(token) {
      const { envelope, label } = await ownCall(core, '/Auth/validate', {}, token);
      // A success without a token keeps the current one, as "same token" would.
      return envelope === REFUSED ? undefined : (tokenFrom(envelope, label) ?? token);
    },
    async revoke(token, signal) {
      return (await ownCall(core, '/Auth/logout', {}, token, signal)).envelope !== REFUSED;
    },
  };
}

/**
 * An authenticated call of the SDK's own (`accounts()`): refused once, it logs in again and
 * retries; refused again, or refused because `logout()` revoked the token meanwhile, it fails.
 */
export async function authenticatedCall(
  core: SessionCore,
  path: string,
  body: unknown,
  signal: AbortSignal | undefined,
): Promise<Envelope> {
  const era = core.keeper.era;
  const { value, refused } = await authenticated(
    core.keeper,
    era,
    signal,
    `POST ${path}`,
    core.log,
    (token: Token) =>
      ownCall(core, path, body, token.value, signal).then(({ envelope }) => ({
        value: envelope,
        refused: envelope === REFUSED,
      })),
  );
  if (!refused && value !== REFUSED) return value;
  if (era !== core.keeper.era) throw loggedOutError();
  throw new TokenExpiredError(`The TestMax API refused a freshly issued session token for POST ${path}`, {
    advice: 'check the base URL, then try again later',
  });
}

/**
 * A session's wiring: its log, the transport to the API (rate-limited) and to other hosts, and
 * the keeper with its store link. The store is never waited on longer than one request; a
 * login holding the store's lock gets a little more than one attempt before another session
 * may take over.
 */
export function createCore(
  options: AuthSessionOptions,
  scope: TokenScope & { baseUrl: string; userName: string },
  given: { secrets: () => (string | undefined)[]; apiKey: () => string | undefined },
): SessionCore {
  const log = createLog(options.logger, given.secrets);
  const other = createTransport(options, log, given.secrets);
  const { clock, timeoutMs } = other;
  const storeWaitMs = timeoutMs > 0 && timeoutMs < 3_600_000 ? timeoutMs : 15_000;
  const core: { -readonly [K in keyof SessionCore]: SessionCore[K] } = {
    baseUrl: scope.baseUrl,
    userName: scope.userName,
    keeper: undefined as unknown as TokenKeeper, // set just below: the keeper's server needs the core
    api: { ...other, limiter: sessionLimiter(options.rateLimit, scope, clock, log) },
    other,
    isUnderBase: baseUrlMatcher(scope.baseUrl),
    log,
    secrets: given.secrets,
  };
  core.keeper = new TokenKeeper({
    server: keeperServer(core, given.apiKey),
    store: options.store ? new StoreLink(options.store, scope, clock, log, storeWaitMs) : undefined,
    canLogIn: given.apiKey() !== undefined,
    clock,
    policy: resolveLifecycle(options.lifecycle, options.refreshAt),
    log,
    lockTtlMs: storeWaitMs + 1_000,
  });
  return core;
}
