/** The session's options: their types, their defaults and the one place they are checked. */
import type { Clock } from './clock.js';
import { ConfigError } from './errors.js';
import type { Logger } from './logger.js';
import type { RateLimiter, RateLimitRule } from './rate-limiter.js';
import type { TokenStore } from './token-store.js';

/** How failed requests are retried. Every field is optional. */
export interface RetryOptions {
  /** Retries after the first attempt (so `retries: 2` means at most 3 attempts). Default 3. */
  retries?: number;
  /** Base of the exponential back-off: the cap for the first retry's random delay. Default 250. */
  minDelayMs?: number;
  /** Cap of the exponential back-off. Default 8 000. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` the SDK will wait for (default 60 000); a longer one ends the retries
   * at once with a `RateLimitError` (for 429) or the failed response, rather than sleeping for
   * an hour.
   */
  maxRetryAfterMs?: number;
  /**
   * A time (ms since the epoch, on the session's clock) after which no wait between attempts
   * may end: a retry that would need one is not made, and the call fails with the last
   * answer's error, which says what the server asked for. For one-shot tools that promise an
   * answer within a time (the `testmax` CLI gives each command half a minute). Default: none.
   */
  deadline?: number;
  /**
   * HTTP methods whose requests `session.fetch` retries after a failure that may have reached
   * the server (timeout, reset, 408, 5xx); default `GET HEAD OPTIONS PUT DELETE`. Requests of
   * other methods are retried only when they certainly were not processed (connection
   * refused, 429). The SDK's own calls and the TestMax endpoints known to be read-only are
   * always retried.
   */
  methods?: readonly string[];
}

/**
 * When to refresh and when to stop trusting a token. Every margin is a fraction of the token's
 * lifetime L, capped in absolute time, so a 5-second test token behaves like a 24-hour one.
 */
export interface LifecycleOptions {
  /** Fraction of L after which `Auth/validate` is called in the background. Default 0.8. */
  refreshAt?: number;
  /** Fraction of L before expiry from which the token counts as expired. Default 0.05. */
  expiryMargin?: number;
  /** Cap of the expiry margin. Default 60 000 ms. */
  expiryMarginMaxMs?: number;
  /** Fraction of L to wait before asking again when validate returned the same token or failed. Default 0.05. */
  backoff?: number;
  /** Cap of that back-off. Default 300 000 ms (5 min). */
  backoffMaxMs?: number;
  /** Lifetime assumed for a token without a readable `exp`. Default 24 h. */
  assumedLifetimeMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;
export type LifecyclePolicy = Required<LifecycleOptions>;

export interface AuthSessionOptions {
  /** The account e-mail used to log in. */
  userName: string;
  /**
   * The API key. Optional when `token` or `store` is given: the session then uses that token
   * (or the one the store holds) and cannot log in again.
   */
  apiKey?: string;
  /**
   * A token issued earlier to start from instead of logging in. Its expiry is read from `exp`
   * against the local clock. When the server refuses it, the session logs in with `apiKey`, or
   * throws `TokenExpiredError` without one.
   */
  token?: string;
  /** API root. Defaults to `DEFAULT_BASE_URL`; plain http:// only for loopback hosts. */
  baseUrl?: string;
  /** The account `accountInfo` picks; default the first that can trade. */
  accountName?: string;
  /**
   * The config-file profile these credentials came from (`fromEnv` sets it). A profile keeps a
   * token of its own: it is part of the session's token scope, beside base URL and user.
   */
  profile?: string;
  /** A `fetch` implementation; default `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Fraction of the token lifetime after which it is refreshed in the background. Default 0.8. */
  refreshAt?: number;
  /** Timeout of each attempt, in ms. Default 15 000. */
  timeoutMs?: number;
  /**
   * The most of an answer from the API the session reads, in bytes after decompression; a
   * bigger one is an `ApiError` and its connection is closed. Default 8 MiB; `Infinity` lifts
   * the cap.
   */
  maxResponseBytes?: number;
  /** Retry policy, or `false` for a single attempt. */
  retry?: RetryOptions | false;
  /** Debug logging (`console` works); `false` silences even `TESTMAX_DEBUG=1`. */
  logger?: Logger | false;
  /** The other knobs of the token lifecycle. */
  lifecycle?: LifecycleOptions;
  /**
   * Where the token lives. Sessions given the same store (same base URL, user and profile)
   * share one token: one login and one refresh at a time among them, whichever process or
   * machine they run in. Default: a memory store of this session's own.
   */
  store?: TokenStore;
  /**
   * The client-side rate limiter: on by default with `GATEWAY_RATE_LIMITS`; `false` turns it
   * off; `{ rules }` replaces the rules; a `RateLimiter` (e.g. `redisRateLimiter()`) shares
   * one budget across a fleet.
   */
  rateLimit?: false | { rules: readonly RateLimitRule[] } | RateLimiter;
  /**
   * Whether `await using` (dispose) logs out. Default: true for a session with a store of its
   * own, false for one given a `store` (it detaches; the fleet keeps the token).
   */
  logoutOnDispose?: boolean;
  /** Time source, for tests. */
  clock?: Clock;
  /** Random source for back-off jitter in [0, 1), for tests. */
  random?: () => number;
}

/** Where `loadCredentials` looks; every field has a sensible default. */
export interface LoadCredentialsOptions {
  /** Highest precedence: explicit values (e.g. CLI flags). */
  userName?: string;
  apiKey?: string;
  accountName?: string;
  baseUrl?: string;
  /** Environment to read; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Directory whose `.env` is read; default `process.cwd()`. */
  cwd?: string;
  /** Config file; default `$TESTMAX_CONFIG`, else `$XDG_CONFIG_HOME/testmax/config.json`, else `~/.config/testmax/config.json`. */
  configPath?: string;
  /** Receives warnings (e.g. a config file others can read); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /**
   * A named profile of the config file: `profiles.NAME` overrides the file's top-level settings.
   * Default `$TESTMAX_PROFILE` (from the environment, else `.env`); none means the top level.
   */
  profile?: string;
  /**
   * How messages name the options above, for a tool that offers them under names of its own
   * (default `option profile`, `configPath`, …). A CLI passes, say,
   * `{ profile: 'flag --profile', configPath: null }`: `null` means the tool has no such
   * setting, so advice does not mention it.
   */
  optionNames?: OptionNames;
}

/** The options of {@link LoadCredentialsOptions} that messages can name. */
export type OptionNames = Partial<
  Record<'userName' | 'apiKey' | 'accountName' | 'baseUrl' | 'profile' | 'configPath', string | null>
>;

/** Options of `AuthSession.fromEnv`: any session option, plus where to look for credentials. */
export interface FromEnvOptions
  extends Partial<AuthSessionOptions>,
    Omit<LoadCredentialsOptions, keyof AuthSessionOptions> {}

interface Range {
  /** Lowest allowed value; inclusive unless `above` is set. */
  min: number;
  above?: boolean;
  max?: number;
  integer?: boolean;
  /** `Infinity` is a valid "no limit". */
  infinite?: boolean;
}

/**
 * A numeric option, checked: a bad one is a `ConfigError` naming it at construction, not a
 * session that logs in on every call or never times out.
 */
export function checkNumber(name: string, value: unknown, range: Range): number {
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) ? !range.integer || Number.isInteger(value) : range.infinite === true) &&
    (range.above ? value > range.min : value >= range.min) &&
    (range.max === undefined || value <= range.max);
  if (!ok) {
    const bounds = `${range.above ? '>' : '≥'} ${range.min}${range.max === undefined ? '' : ` and ≤ ${range.max}`}`;
    throw new ConfigError(
      `The option ${name} must be ${range.integer ? 'an integer' : 'a number'} ${bounds}, got ${String(value)}.`,
    );
  }
  return value as number;
}

/** The defaults and ranges of one group of options: `[default, range]` per field. */
type Spec<T> = { readonly [K in keyof T]: readonly [T[K], Range | undefined] };

const RETRY: Spec<RetryPolicy> = {
  retries: [3, { min: 0, max: 20, integer: true }],
  minDelayMs: [250, { min: 0 }],
  maxDelayMs: [8_000, { min: 0 }],
  maxRetryAfterMs: [60_000, { min: 0, infinite: true }],
  deadline: [Number.POSITIVE_INFINITY, { min: 0, infinite: true }],
  // The idempotent methods of RFC 9110. POST is not among them: an order sent twice is two
  // orders. TestMax's own read-only POST endpoints are known by path instead (endpoints.ts).
  methods: [['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'], undefined],
};

const LIFECYCLE: Spec<LifecyclePolicy> = {
  // 0 would refresh on every call; 1 means "never in the background, only at expiry".
  refreshAt: [0.8, { min: 0, above: true, max: 1 }],
  expiryMargin: [0.05, { min: 0, max: 0.5 }],
  expiryMarginMaxMs: [60_000, { min: 0, infinite: true }],
  // 0 would call validate on every request while it keeps answering the same token.
  backoff: [0.05, { min: 0, above: true, max: 1 }],
  backoffMaxMs: [300_000, { min: 0, above: true }],
  assumedLifetimeMs: [86_400_000, { min: 0, above: true }],
};

/**
 * One group of options over its defaults: a field given as `undefined` keeps its default
 * (`{ ...defaults, ...options }` alone would let it wipe the default out), every number is
 * range-checked and named in the error (`retry.retries`).
 */
function resolveGroup<T extends object>(prefix: string, given: unknown, spec: Spec<T>): T {
  if (given !== undefined && (given === null || typeof given !== 'object')) {
    throw new ConfigError(
      `The option ${prefix} must be an object of ${prefix} settings${prefix === 'retry' ? ', or false' : ''}.`,
    );
  }
  const out = {} as Record<string, unknown>;
  for (const [key, [fallback, range]] of Object.entries(spec) as [
    string,
    readonly [unknown, Range | undefined],
  ][]) {
    const value = (given as Record<string, unknown> | undefined)?.[key] ?? fallback;
    out[key] = range ? checkNumber(`${prefix}.${key}`, value, range) : value;
  }
  return out as T;
}

export function resolveRetry(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { ...resolveGroup<RetryPolicy>('retry', undefined, RETRY), retries: 0 };
  const policy = resolveGroup<RetryPolicy>('retry', options, RETRY);
  const { methods } = policy;
  if (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string')) {
    throw new ConfigError('The option retry.methods must be an array of HTTP method names.');
  }
  return { ...policy, methods: methods.map((m) => m.toUpperCase()) };
}

/** `refreshAt` may be given at the top level (the common case) or inside `lifecycle`. */
export function resolveLifecycle(
  options: LifecycleOptions | undefined,
  refreshAt: number | undefined,
): LifecyclePolicy {
  const policy = resolveGroup<LifecyclePolicy>('lifecycle', options, LIFECYCLE);
  if (refreshAt === undefined) return policy;
  return { ...policy, refreshAt: checkNumber('refreshAt', refreshAt, LIFECYCLE.refreshAt[1] as Range) };
}

/** The defaults, resolved (for tests and docs; not exported from the package). */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze(resolveRetry(undefined));
export const DEFAULT_LIFECYCLE: LifecyclePolicy = Object.freeze(resolveLifecycle(undefined, undefined));
