/**
 * A request to the end: attempts (attempt.ts), each after a place in the rate limit, and
 * between them the wait retry.ts decides — full-jitter back-off or the server's `Retry-After` —
 * plus redirects the rule allows. One debug line per attempt.
 */
import { abortReason, sleep } from './abort.js';
import { type AttemptResult, attempt, type BodyOf, type ReadMode, type TransportConfig } from './attempt.js';
import { DEFAULT_MAX_RESPONSE_BYTES } from './body-limit.js';
import { type Clock, elapsedSince, performanceNow, systemClock } from './clock.js';
import { ConfigError } from './errors.js';
import { formatRequestLine, type LogFn } from './logger.js';
import { checkNumber, type RetryOptions, resolveRetry } from './options.js';
import type { RedirectRule } from './redirect.js';
import type { ApiRequest } from './request.js';
import { type AttemptOutcome, parseRetryAfter, retryDelayMs } from './retry.js';

export interface SendOptions<M extends ReadMode> {
  readonly read: M;
  /** False for a request that must not be sent twice if it may have been processed (see retry.ts). */
  readonly idempotent: boolean;
  /** How redirects from the API are handled (see redirect.ts). */
  readonly redirects: RedirectRule | undefined;
}

export interface Received<M extends ReadMode> {
  readonly response: Response;
  readonly body: BodyOf<M>;
  readonly attempts: number;
  /** `Retry-After` of the final response, in ms, if it had one. */
  readonly retryAfterMs: number | undefined;
  /** True when the SDK followed a redirect to get here. */
  readonly redirected: boolean;
}

export async function send<M extends ReadMode>(
  cfg: TransportConfig,
  first: ApiRequest,
  options: SendOptions<M>,
): Promise<Received<M>> {
  const { log, limiter } = cfg;
  let request = first;
  let hops = 0;
  for (let attemptNo = 1; ; ) {
    const { signal } = request;
    if (signal?.aborted) throw abortReason(signal);
    const taken = limiter?.acquire(request, signal);
    const permit = isPromise(taken) ? await taken : taken;
    const label = `${request.method} ${request.url.pathname}`;
    const started = log.enabled ? performanceNow() : 0;
    let result: AttemptResult<M>;
    try {
      result = await attempt(cfg, request, { ...options, hops, label });
    } finally {
      permit?.done();
    }
    if (result.kind === 'redirect') {
      logAttempt(cfg, request, attemptNo, started, { status: result.response.status }, undefined);
      log('debug', `${label} redirected to ${result.next.url.pathname}; following within the API`);
      request = result.next;
      hops++;
      continue;
    }
    let outcome: AttemptOutcome;
    let retryAfterMs: number | undefined;
    if (result.kind === 'answer') {
      const { status, headers } = result.response;
      retryAfterMs = parseRetryAfter(headers.get('retry-after'), cfg.clock.now());
      // The server said no anyway: hold the budget for what it asked (1 s when it did not say),
      // unless that is longer than the SDK would wait (then this call fails at once, and so do
      // the next ones the server refuses, rather than all of them hanging).
      const pauseMs = retryAfterMs ?? 1000;
      if (status === 429 && pauseMs <= cfg.retry.maxRetryAfterMs) limiter?.pause(request, pauseMs);
      outcome = { kind: 'answer', status, retryAfterMs };
    } else {
      outcome = { kind: 'no-answer', timedOut: result.timedOut, notSent: result.notSent };
    }
    const delay = retryDelayMs({
      attempt: attemptNo,
      outcome,
      idempotent: options.idempotent,
      policy: cfg.retry,
      nowMs: cfg.clock.now(),
      random: cfg.random,
    });
    const shown =
      result.kind === 'answer'
        ? { status: result.response.status }
        : { outcome: result.outcome, error: result.timedOut ? 'TIMEOUT' : 'NETWORK_ERROR' };
    logAttempt(cfg, request, attemptNo, started, shown, delay);
    if (delay === undefined) {
      if (result.kind === 'no-answer') throw result.error(attemptNo);
      return {
        response: result.response,
        body: result.body,
        attempts: attemptNo,
        retryAfterMs,
        redirected: hops > 0,
      };
    }
    if (result.kind === 'answer' && options.read === 'none')
      await result.response.body?.cancel().catch(() => {});
    await sleep(delay, cfg.clock, signal);
    attemptNo++;
  }
}

/** `POST /Auth/loginKey 503 attempt=1 12ms retry in 180ms`, with the same fields as details. */
function logAttempt(
  cfg: TransportConfig,
  request: ApiRequest,
  attemptNo: number,
  started: number,
  result: { status: number } | { outcome: string; error: string },
  retryInMs: number | undefined,
): void {
  if (!cfg.log.enabled) return;
  const { outcome, ...fields } = { outcome: undefined, ...result };
  const details = {
    method: request.method,
    path: request.url.pathname,
    ...fields,
    attempt: attemptNo,
    durationMs: elapsedSince(started),
  };
  cfg.log('debug', formatRequestLine({ ...details, outcome, retryInMs }), details);
}

/** The options every entry that talks to the API accepts. */
export interface TransportOptions {
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  /**
   * The most of a response body the SDK reads, counted after decompression; more is an
   * `ApiError` and the connection is closed. Default 8 MiB; `Infinity` lifts the cap.
   */
  maxResponseBytes?: number;
  retry?: RetryOptions | false;
  clock?: Clock;
  random?: () => number;
}

/** "a string", "a URL object", "null": what a wrong option was, never its value (it may be a secret). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name} object` : 'an object';
}

export function createTransport(
  options: TransportOptions,
  log: LogFn,
  secrets: () => Iterable<string | undefined>,
): TransportConfig {
  const given: unknown = options.fetch;
  if (given !== undefined && typeof given !== 'function') {
    throw new ConfigError(
      `The option fetch must be a function (a fetch implementation such as globalThis.fetch), got ${describeValue(given)}.`,
    );
  }
  const fetchImpl = options.fetch ?? (globalThis.fetch as typeof globalThis.fetch | undefined);
  if (typeof fetchImpl !== 'function') {
    throw new ConfigError('No fetch implementation is available in this runtime', {
      advice: 'pass one as the fetch option',
    });
  }
  return {
    // Called unbound: some fetch implementations throw "Illegal invocation" otherwise.
    fetch: (input, init) => fetchImpl(input, init),
    clock: options.clock ?? systemClock,
    // 0 (or Infinity) means no timeout.
    timeoutMs: checkNumber('timeoutMs', options.timeoutMs ?? 15_000, { min: 0, infinite: true }),
    maxResponseBytes: checkNumber(
      'maxResponseBytes',
      options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      {
        min: 1,
        integer: true,
        infinite: true,
      },
    ),
    retry: resolveRetry(options.retry),
    random: options.random ?? Math.random,
    log,
    secrets,
  };
}

const isPromise = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> =>
  typeof (value as PromiseLike<T> | undefined)?.then === 'function';
