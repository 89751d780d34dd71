import { checkNumber, definedFields } from './check.js';
import { ConfigError } from './errors.js';

/** How failed requests are retried. Every field is optional; see {@link DEFAULT_RETRY}. */
export interface RetryOptions {
  /** Retries after the first attempt (so `retries: 2` means at most 3 attempts). */
  retries?: number;
  /** Base of the exponential back-off: the cap for the first retry's random delay. */
  minDelayMs?: number;
  /** Cap of the exponential back-off. */
  maxDelayMs?: number;
  /**
   * Longest `Retry-After` the SDK will wait for; a longer one ends the retries at once with a
   * {@link RateLimitError} (for 429) or the failed response, rather than sleeping for an hour.
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
   * the server (timeout, reset, 408, 5xx). Requests of other methods are retried only when they
   * certainly were not processed (connection refused, 429). The SDK's own calls and the
   * TestMax endpoints known to be read-only are always retried; see `isSafeToRepeat`.
   */
  methods?: readonly string[];
}

export type ResolvedRetry = Required<RetryOptions>;

export const DEFAULT_RETRY: ResolvedRetry = Object.freeze({
  retries: 3,
  minDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  deadline: Number.POSITIVE_INFINITY,
  // The idempotent methods of RFC 9110. POST is not among them: an order sent twice is two
  // orders. TestMax's own read-only POST endpoints are recognised by path instead.
  methods: Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']),
});

export function resolveRetry(options: RetryOptions | false | undefined): ResolvedRetry {
  if (options === false) return { ...DEFAULT_RETRY, retries: 0 };
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new ConfigError('The option retry must be an object of retry settings, or false.');
  }
  const merged = { ...DEFAULT_RETRY, ...definedFields(options) };
  if (!Array.isArray(merged.methods) || !merged.methods.every((m) => typeof m === 'string')) {
    throw new ConfigError('The option retry.methods must be an array of HTTP method names.');
  }
  return {
    retries: checkNumber('retry.retries', merged.retries, { min: 0, max: 20, integer: true }),
    minDelayMs: checkNumber('retry.minDelayMs', merged.minDelayMs, { min: 0 }),
    maxDelayMs: checkNumber('retry.maxDelayMs', merged.maxDelayMs, { min: 0 }),
    maxRetryAfterMs: checkNumber('retry.maxRetryAfterMs', merged.maxRetryAfterMs, { min: 0, infinite: true }),
    deadline: checkNumber('retry.deadline', merged.deadline, { min: 0, infinite: true }),
    methods: merged.methods.map((m) => m.toUpperCase()),
  };
}

/**
 * TestMax (ProjectX Gateway) endpoints that read or only touch the session, so repeating one
 * is harmless although it is a POST: the auth calls, ping, and the search/list/history reads.
 */
const READ_ONLY_PATH =
  /\/(?:Auth\/(?:loginKey|validate|logout)|Status\/ping|[A-Za-z]+\/(?:search[A-Za-z]*|available)|History\/retrieveBars)$/i;

/** May `method` to `path` be sent again after a failure that may have reached the server? */
export function isSafeToRepeat(method: string, path: string, policy: ResolvedRetry): boolean {
  return policy.methods.includes(method) || (method === 'POST' && READ_ONLY_PATH.test(path));
}

/** Statuses worth another attempt: request timeout, rate limit, server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * "Full jitter" (AWS architecture blog): a uniform random delay in
 * [0, min(maxDelay, minDelay·2^(retry-1))), which spreads a herd of clients apart.
 */
export function backoffDelay(retry: number, policy: ResolvedRetry, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as milliseconds from now: delay-seconds (`"2"`) or an HTTP date. Returns
 * `undefined` when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only an HTTP date (it names a day or month); Date.parse alone would accept "-1" as a year.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
