/**
 * Whether and when to try a request again: decided here, from the attempt, what it came to,
 * the policy and whether repeating it is harmless. Pure (time and chance are given), so the
 * loop that runs the attempts (send.ts) only does what this says.
 */
import type { RetryPolicy } from './options.js';

/** What an attempt came to, as far as retrying goes. */
export type AttemptOutcome =
  | { readonly kind: 'answer'; readonly status: number; readonly retryAfterMs: number | undefined }
  /** No answer. `notSent`: it certainly never reached a server (connection refused, no DNS). */
  | { readonly kind: 'no-answer'; readonly timedOut: boolean; readonly notSent: boolean };

export interface RetryQuestion {
  /** The attempt that just ended, from 1. */
  readonly attempt: number;
  readonly outcome: AttemptOutcome;
  /**
   * False for a request that must not be sent twice if it may have been processed (a POST the
   * SDK does not know to be read-only): then only what certainly was not processed (refused
   * connection, 429) is repeated.
   */
  readonly idempotent: boolean;
  readonly policy: RetryPolicy;
  readonly nowMs: number;
  readonly random: () => number;
}

/** The wait before the next attempt in ms, or `undefined`: stop and report this outcome. */
export function retryDelayMs(question: RetryQuestion): number | undefined {
  const { attempt, outcome, idempotent, policy, nowMs, random } = question;
  if (attempt > policy.retries) return undefined;
  let delay: number | undefined;
  if (outcome.kind === 'no-answer') {
    // A request that may have reached the server is repeated only if that is harmless.
    if (idempotent || (!outcome.timedOut && outcome.notSent)) delay = backoffDelay(attempt, policy, random);
  } else if (isRetryableStatus(outcome.status) && (idempotent || outcome.status === 429)) {
    // A 429 was refused, not processed: repeating it is harmless whatever the request.
    const asked = outcome.retryAfterMs;
    if (asked === undefined) delay = backoffDelay(attempt, policy, random);
    // Waiting longer than allowed is worse than failing now with a clear error.
    else if (asked <= policy.maxRetryAfterMs) delay = asked;
  }
  // A wait that would end after the deadline is not started: failing now says more.
  return delay !== undefined && nowMs + delay <= policy.deadline ? delay : undefined;
}

/** Statuses worth another attempt: request timeout, rate limit, server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * "Full jitter" (AWS architecture blog): a uniform random delay in
 * [0, min(maxDelay, minDelay·2^(retry-1))), which spreads a herd of clients apart.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as milliseconds from now: delay-seconds (`"2"`) or an HTTP date. Returns
 * `undefined` when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Only an HTTP date (it names a day or month); Date.parse alone would accept "-1" as a year.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
