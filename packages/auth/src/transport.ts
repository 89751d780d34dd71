import { abortReason, attemptSignal, sleep } from './abort.js';
import { DEFAULT_MAX_RESPONSE_BYTES, formatBytes, OverLimit, readCapped } from './body-limit.js';
import { checkNumber } from './check.js';
import { type Clock, elapsedSince, performanceNow, systemClock } from './clock.js';
import { ApiError, ConfigError, NetworkError, TestMaxError, TimeoutError } from './errors.js';
import { formatRequestLine, type LogFn } from './logger.js';
import { redact } from './redact.js';
import { judgeRedirect, type RedirectRule } from './redirect.js';
import {
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  type ResolvedRetry,
  type RetryOptions,
  resolveRetry,
} from './retry.js';
import { safeCause } from './safe-cause.js';

/** Everything a request needs besides the request itself. */
export interface TransportConfig {
  fetch: typeof globalThis.fetch;
  clock: Clock;
  timeoutMs: number;
  /** The most of a response body the SDK reads; see body-limit.ts. */
  maxResponseBytes: number;
  retry: ResolvedRetry;
  random: () => number;
  log: LogFn;
  secrets: () => Iterable<string | undefined>;
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
    throw new ConfigError(
      'No fetch implementation is available in this runtime; pass one as the fetch option.',
    );
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

/** "a string", "a URL object", "null": what a wrong option was, never its value (it may be a secret). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name} object` : 'an object';
}

/** The parts of a `RequestInit` that pass through to `fetch` unchanged. */
export type RequestOptions = Omit<RequestInit, 'body' | 'headers' | 'method' | 'signal'>;

/** A request whose body is already buffered, so it can be sent again on a retry. */
export interface Outgoing {
  url: URL;
  method: string;
  headers: Headers;
  body?: ArrayBuffer | ArrayBufferView<ArrayBuffer> | string | undefined;
  /** Whatever else of the caller's `RequestInit` goes to `fetch` as given. */
  init?: RequestOptions;
}

export interface SendOptions {
  signal?: AbortSignal | undefined;
  /**
   * Read the body inside the attempt, so a slow or cut body is timed out and retried too:
   * as text (the SDK's own JSON calls) or as bytes (`session.fetch`, which must hand back any
   * body, binary included, exactly as it came).
   */
  read?: 'text' | 'bytes' | undefined;
  /**
   * False for a request that must not be sent twice if it may have been processed (a POST the
   * SDK does not know to be read-only): then only a refused connection and a 429 are retried.
   * Default true.
   */
  idempotent?: boolean;
  /**
   * How redirects from the API are handled (see redirect.ts); without a rule the request goes
   * out with the caller's own `redirect` setting (a request that carries no credentials of ours).
   */
  redirects?: RedirectRule | undefined;
}

export interface Received {
  response: Response;
  /** The body, when `read` was `'text'`. */
  text?: string;
  /** The body, when `read` was `'bytes'`. */
  bytes?: ArrayBuffer;
  attempts: number;
  /** `Retry-After` of the final response, in ms, if it had one. */
  retryAfterMs?: number;
  /** True when the SDK followed a redirect to get here. */
  redirected?: boolean;
}

/** Failures that happen before a request reaches the server: repeating them is always safe. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function failureCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** Describe a fetch failure without its stack: "ECONNRESET", "fetch failed: other side closed". */
function describeFailure(error: unknown): string {
  const code = failureCode(error);
  if (code !== undefined) return code;
  const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.message === 'string') return cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

function attemptsText(n: number): string {
  return n === 1 ? '1 attempt' : `${n} attempts`;
}

/** The answer's body was too big to read: an ApiError, never retried (it would be as big again). */
function tooLargeError(cfg: TransportConfig, label: string, status: number, error: unknown): ApiError {
  const what =
    error instanceof OverLimit
      ? `more than maxResponseBytes (${formatBytes(cfg.maxResponseBytes)})`
      : 'a body too large to hold in memory';
  return new ApiError(
    `The TestMax API answered ${label} with ${what}, so the SDK stopped reading and closed the connection; check the base URL, or raise maxResponseBytes if such answers are expected.`,
    { status },
  );
}

/**
 * Send with a per-attempt timeout and bounded retries: network errors, timeouts, 408, 429 and
 * 5xx get full-jitter exponential back-off, or exactly the server's `Retry-After`, as long as
 * the wait ends before `retry.deadline`. A caller's abort stops at once with the signal's
 * reason; nothing else is retried. Redirects follow `options.redirects`; the body, when read,
 * is capped at `maxResponseBytes`.
 */
export async function send(cfg: TransportConfig, first: Outgoing, options: SendOptions): Promise<Received> {
  const { signal, read, redirects } = options;
  const idempotent = options.idempotent !== false;
  const maxAttempts = cfg.retry.retries + 1;
  const { log } = cfg;
  let out = first;
  let label = `${out.method} ${out.url.pathname}`;
  /** One debug line per attempt: `POST /Auth/loginKey 503 attempt=1 12ms retry in 180ms`. */
  const logAttempt = (
    attempt: number,
    started: number,
    result: { status: number } | { outcome: string; error: string },
    retryInMs: number | undefined,
  ) => {
    if (!log.enabled) return;
    const { outcome, ...fields } = { outcome: undefined, ...result };
    const details = {
      method: out.method,
      path: out.url.pathname,
      ...fields,
      attempt,
      durationMs: elapsedSince(started),
    };
    log('debug', formatRequestLine({ ...details, outcome, retryInMs }), details);
  };
  /** A wait that would end after the deadline is not started: failing now says more. */
  const fitsDeadline = (delay: number) => cfg.clock.now() + delay <= cfg.retry.deadline;
  let hops = 0;
  for (let attempt = 1; ; ) {
    if (signal?.aborted) throw abortReason(signal);
    const started = performanceNow();
    const guard = attemptSignal(signal, cfg.timeoutMs, cfg.clock);
    let response: Response | undefined;
    let text: string | undefined;
    let bytes: ArrayBuffer | undefined;
    let next: Outgoing | undefined;
    try {
      response = await cfg.fetch(out.url.toString(), {
        ...out.init,
        method: out.method,
        headers: out.headers,
        ...(out.body === undefined ? {} : { body: out.body }),
        ...(redirects ? { redirect: 'manual' as const } : {}),
        signal: guard.signal,
      });
      const verdict = redirects ? judgeRedirect(redirects, response, out, hops, label) : undefined;
      if (verdict?.kind === 'fail') throw verdict.error;
      if (verdict?.kind === 'follow') next = verdict.next;
      else if (read) {
        const body = await readCapped(response, cfg.maxResponseBytes);
        if (read === 'text') text = decodeUtf8(body);
        else bytes = body;
      }
    } catch (error) {
      guard.dispose();
      if (signal?.aborted) throw abortReason(signal);
      if (error instanceof TestMaxError) {
        await response?.body?.cancel().catch(() => {});
        throw error;
      }
      // Not the network: an answer too big (or too big for a string). Repeating cannot help.
      if (response && (error instanceof OverLimit || error instanceof RangeError)) {
        guard.abort();
        logAttempt(attempt, started, { status: response.status }, undefined);
        throw tooLargeError(cfg, label, response.status, error);
      }
      const failure = guard.timedOut
        ? new TimeoutError(
            `The TestMax API did not answer ${label} within ${cfg.timeoutMs} ms (${attemptsText(attempt)}); check your network, or raise timeoutMs if the service is slow.`,
            cfg.timeoutMs,
          )
        : new NetworkError(
            redact(
              `Could not reach the TestMax API at ${out.url.host} for ${label} (${describeFailure(error)}) after ${attemptsText(attempt)}; check your network connection and the base URL.`,
              cfg.secrets(),
            ),
            { cause: safeCause(error, cfg.secrets()) },
          );
      // A request that may have reached the server is repeated only if that is harmless.
      const retrying =
        attempt < maxAttempts && (idempotent || (!guard.timedOut && NOT_SENT.has(failureCode(error) ?? '')));
      let delay = retrying ? backoffDelay(attempt, cfg.retry, cfg.random) : undefined;
      if (delay !== undefined && !fitsDeadline(delay)) delay = undefined;
      const outcome = guard.timedOut ? 'timeout' : `network error (${describeFailure(error)})`;
      logAttempt(attempt, started, { outcome, error: failure.code }, delay);
      if (delay === undefined) throw failure;
      await sleep(delay, cfg.clock, signal);
      attempt++;
      continue;
    }
    const answer = response as Response;
    if (next) {
      guard.dispose();
      await answer.body?.cancel().catch(() => {});
      logAttempt(attempt, started, { status: answer.status }, undefined);
      log('debug', `${label} redirected to ${next.url.pathname}; following within the API`);
      out = next;
      label = `${out.method} ${out.url.pathname}`;
      hops++;
      continue;
    }
    if (read) guard.dispose();
    else guard.disposeTimer();

    const { status } = answer;
    const retryAfter = answer.headers.get('retry-after');
    const retryAfterMs = retryAfter === null ? undefined : parseRetryAfter(retryAfter, cfg.clock.now());
    let delay: number | undefined;
    // A 429 was refused, not processed: repeating it is harmless whatever the request.
    if (isRetryableStatus(status) && attempt < maxAttempts && (idempotent || status === 429)) {
      if (retryAfterMs === undefined) delay = backoffDelay(attempt, cfg.retry, cfg.random);
      // Waiting longer than allowed is worse than failing now with a clear error.
      else if (retryAfterMs <= cfg.retry.maxRetryAfterMs) delay = retryAfterMs;
      if (delay !== undefined && !fitsDeadline(delay)) delay = undefined;
    }
    logAttempt(attempt, started, { status }, delay);
    if (delay === undefined) {
      const received: Received = { response: answer, attempts: attempt };
      if (text !== undefined) received.text = text;
      if (bytes !== undefined) received.bytes = bytes;
      if (retryAfterMs !== undefined) received.retryAfterMs = retryAfterMs;
      if (hops > 0) received.redirected = true;
      return received;
    }
    if (!read) {
      guard.dispose();
      await answer.body?.cancel().catch(() => {});
    }
    await sleep(delay, cfg.clock, signal);
    attempt++;
  }
}

const utf8 = new TextDecoder();

/** As `Response.text()` decodes: UTF-8, a BOM dropped, bad bytes replaced. */
function decodeUtf8(bytes: ArrayBuffer): string {
  return utf8.decode(bytes);
}
