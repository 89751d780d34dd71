import { abortReason, attemptSignal, sleep } from './abort.js';
import { checkNumber } from './check.js';
import { type Clock, elapsedSince, performanceNow, systemClock } from './clock.js';
import { ConfigError, NetworkError, TimeoutError } from './errors.js';
import { formatRequestLine, type LogFn } from './logger.js';
import { redact } from './redact.js';
import {
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  type ResolvedRetry,
  type RetryOptions,
  resolveRetry,
} from './retry.js';

/** Everything a request needs besides the request itself. */
export interface TransportConfig {
  fetch: typeof globalThis.fetch;
  clock: Clock;
  timeoutMs: number;
  retry: ResolvedRetry;
  random: () => number;
  log: LogFn;
  secrets: () => Iterable<string | undefined>;
}

/** The options every entry that talks to the API accepts. */
export interface TransportOptions {
  fetch?: typeof globalThis.fetch;
  timeoutMs?: number;
  retry?: RetryOptions | false;
  clock?: Clock;
  random?: () => number;
}

export function createTransport(
  options: TransportOptions,
  log: LogFn,
  secrets: () => Iterable<string | undefined>,
): TransportConfig {
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
    retry: resolveRetry(options.retry),
    random: options.random ?? Math.random,
    log,
    secrets,
  };
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

/** Everything an error shows when inspected: messages, stacks and fields, causes included. */
function inspectable(error: unknown, depth = 0): string {
  if (!(error instanceof Error) || depth > 3) return String(error);
  let fields = '';
  try {
    fields = JSON.stringify(error) ?? '';
  } catch {}
  return `${error.stack ?? error.message} ${fields} ${inspectable((error as { cause?: unknown }).cause, depth + 1)}`;
}

/**
 * The fetch failure to keep as `cause`, unless inspecting it would show a secret (a custom
 * fetch whose errors carry the request's headers): then a redacted stand-in with its code.
 */
function safeCause(error: unknown, secrets: Iterable<string | undefined>): unknown {
  const list = [...secrets];
  const text = inspectable(error);
  if (redact(text, list) === text) return error;
  const standIn = new Error(redact(error instanceof Error ? error.message : String(error), list));
  const code = failureCode(error);
  return code === undefined ? standIn : Object.assign(standIn, { code });
}

function attemptsText(n: number): string {
  return n === 1 ? '1 attempt' : `${n} attempts`;
}

/**
 * Send with a per-attempt timeout and bounded retries: network errors, timeouts, 408, 429 and
 * 5xx get full-jitter exponential back-off, or exactly the server's `Retry-After`.
 * A caller's abort stops at once with the signal's reason; nothing else is retried.
 */
export async function send(cfg: TransportConfig, out: Outgoing, options: SendOptions): Promise<Received> {
  const { signal, read } = options;
  const idempotent = options.idempotent !== false;
  const label = `${out.method} ${out.url.pathname}`;
  const maxAttempts = cfg.retry.retries + 1;
  const { log } = cfg;
  const { method, url } = out;
  /** One debug line per attempt: `POST /Auth/loginKey 503 attempt=1 12ms retry in 180ms`. */
  const logAttempt = (
    attempt: number,
    started: number,
    result: { status: number } | { outcome: string; error: string },
    retryInMs: number | undefined,
  ) => {
    if (!log.enabled) return;
    const { outcome, ...fields } = { outcome: undefined, ...result };
    const details = { method, path: url.pathname, ...fields, attempt, durationMs: elapsedSince(started) };
    log('debug', formatRequestLine({ ...details, outcome, retryInMs }), details);
  };
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortReason(signal);
    const started = performanceNow();
    const guard = attemptSignal(signal, cfg.timeoutMs, cfg.clock);
    let response: Response;
    let text: string | undefined;
    let bytes: ArrayBuffer | undefined;
    try {
      response = await cfg.fetch(out.url.toString(), {
        ...out.init,
        method: out.method,
        headers: out.headers,
        ...(out.body === undefined ? {} : { body: out.body }),
        signal: guard.signal,
      });
      if (read === 'text') text = await response.text();
      else if (read === 'bytes') bytes = await response.arrayBuffer();
    } catch (error) {
      guard.dispose();
      if (signal?.aborted) throw abortReason(signal);
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
      const delay = retrying ? backoffDelay(attempt, cfg.retry, cfg.random) : undefined;
      const outcome = guard.timedOut ? 'timeout' : `network error (${describeFailure(error)})`;
      logAttempt(attempt, started, { outcome, error: failure.code }, delay);
      if (delay === undefined) throw failure;
      await sleep(delay, cfg.clock, signal);
      continue;
    }
    if (read) guard.dispose();
    else guard.disposeTimer();

    const { status } = response;
    const retryAfter = response.headers.get('retry-after');
    const retryAfterMs = retryAfter === null ? undefined : parseRetryAfter(retryAfter, cfg.clock.now());
    let delay: number | undefined;
    // A 429 was refused, not processed: repeating it is harmless whatever the request.
    if (isRetryableStatus(status) && attempt < maxAttempts && (idempotent || status === 429)) {
      if (retryAfterMs === undefined) delay = backoffDelay(attempt, cfg.retry, cfg.random);
      // Waiting longer than allowed is worse than failing now with a clear error.
      else if (retryAfterMs <= cfg.retry.maxRetryAfterMs) delay = retryAfterMs;
    }
    logAttempt(attempt, started, { status }, delay);
    if (delay === undefined) {
      const received: Received = { response, attempts: attempt };
      if (text !== undefined) received.text = text;
      if (bytes !== undefined) received.bytes = bytes;
      if (retryAfterMs !== undefined) received.retryAfterMs = retryAfterMs;
      return received;
    }
    if (!read) {
      guard.dispose();
      await response.body?.cancel().catch(() => {});
    }
    await sleep(delay, cfg.clock, signal);
  }
}
