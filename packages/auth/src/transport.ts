import { abortReason, attemptSignal, sleep } from './abort.js';
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
    timeoutMs: options.timeoutMs ?? 15_000,
    retry: resolveRetry(options.retry),
    random: options.random ?? Math.random,
    log,
    secrets,
  };
}

/** A request whose body is already buffered, so it can be sent again on a retry. */
export interface Outgoing {
  url: URL;
  method: string;
  headers: Headers;
  body?: ArrayBuffer | ArrayBufferView<ArrayBuffer> | string | undefined;
  init?: Pick<RequestInit, 'redirect' | 'credentials' | 'cache' | 'referrerPolicy' | 'integrity'>;
}

export interface SendOptions {
  signal?: AbortSignal | undefined;
  /** Read the body inside the attempt, so a slow or cut body is timed out and retried too. */
  readBody: boolean;
}

export interface Received {
  response: Response;
  /** The body, when `readBody` was set. */
  text?: string;
  attempts: number;
  /** `Retry-After` of the final response, in ms, if it had one. */
  retryAfterMs?: number;
}

/** Describe a fetch failure without its stack: "ECONNRESET", "fetch failed: other side closed". */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  if (error instanceof Error) return error.message;
  return String(error);
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
  const { signal, readBody } = options;
  const label = `${out.method} ${out.url.pathname}`;
  const maxAttempts = cfg.retry.methods.includes(out.method) ? cfg.retry.retries + 1 : 1;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortReason(signal);
    const started = performanceNow();
    const guard = attemptSignal(signal, cfg.timeoutMs, cfg.clock);
    let response: Response;
    let text: string | undefined;
    try {
      response = await cfg.fetch(out.url.toString(), {
        ...out.init,
        method: out.method,
        headers: out.headers,
        ...(out.body === undefined ? {} : { body: out.body }),
        signal: guard.signal,
      });
      if (readBody) text = await response.text();
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
            { cause: error },
          );
      const retrying = attempt < maxAttempts;
      const delay = retrying ? backoffDelay(attempt, cfg.retry, cfg.random) : undefined;
      cfg.log(
        'debug',
        formatRequestLine({
          method: out.method,
          path: out.url.pathname,
          outcome: guard.timedOut ? 'timeout' : `network error (${describeFailure(error)})`,
          attempt,
          durationMs: elapsedSince(started),
          retryInMs: delay,
        }),
        {
          method: out.method,
          path: out.url.pathname,
          attempt,
          durationMs: elapsedSince(started),
          error: failure.code,
        },
      );
      if (delay === undefined) throw failure;
      await sleep(delay, cfg.clock, signal);
      continue;
    }
    if (readBody) guard.dispose();
    else guard.disposeTimer();

    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), cfg.clock.now());
    let delay: number | undefined;
    if (isRetryableStatus(response.status) && attempt < maxAttempts) {
      if (retryAfterMs === undefined) delay = backoffDelay(attempt, cfg.retry, cfg.random);
      // Waiting longer than allowed is worse than failing now with a clear error.
      else if (retryAfterMs <= cfg.retry.maxRetryAfterMs) delay = retryAfterMs;
    }
    const durationMs = elapsedSince(started);
    cfg.log(
      'debug',
      formatRequestLine({
        method: out.method,
        path: out.url.pathname,
        status: response.status,
        attempt,
        durationMs,
        retryInMs: delay,
      }),
      { method: out.method, path: out.url.pathname, status: response.status, attempt, durationMs },
    );
    if (delay === undefined) {
      return {
        response,
        ...(text === undefined ? {} : { text }),
        attempts: attempt,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      };
    }
    if (!readBody) {
      guard.dispose();
      await response.body?.cancel().catch(() => {});
    }
    await sleep(delay, cfg.clock, signal);
  }
}
