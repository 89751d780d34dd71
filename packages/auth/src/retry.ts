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
  /** HTTP methods that `session.fetch` retries. The SDK's own calls are always safe to repeat. */
  methods?: readonly string[];
}

export type ResolvedRetry = Required<RetryOptions>;

export const DEFAULT_RETRY: ResolvedRetry = Object.freeze({
  retries: 3,
  minDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  // Every TestMax endpoint is a POST, and the ones this SDK knows are safe to repeat.
  methods: Object.freeze(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'POST']),
});

export function resolveRetry(options: RetryOptions | false | undefined): ResolvedRetry {
  if (options === false) return { ...DEFAULT_RETRY, retries: 0 };
  const merged = { ...DEFAULT_RETRY, ...options };
  return {
    ...merged,
    retries: Math.max(0, Math.floor(merged.retries)),
    minDelayMs: Math.max(0, merged.minDelayMs),
    maxDelayMs: Math.max(0, merged.maxDelayMs),
    methods: merged.methods.map((m) => m.toUpperCase()),
  };
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
