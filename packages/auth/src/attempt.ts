/**
 * One attempt at a request: its own timeout linked to the caller's signal, the `fetch`, the
 * redirect rule, the capped read of the body, and what a failure was (the network, a timeout,
 * or an answer too big), with any secret kept out of its cause. Whether to try again is
 * decided elsewhere (retry.ts); the loop is send.ts.
 */
import { abortReason, attemptSignal } from './abort.js';
import { formatBytes, OverLimit, readCapped } from './body-limit.js';
import type { Clock } from './clock.js';
import { ApiError, NetworkError, TestMaxError, TimeoutError } from './errors.js';
import type { LogFn } from './logger.js';
import type { RetryPolicy } from './options.js';
import type { RateLimitPermit } from './rate-limiter.js';
import { redact } from './redact.js';
import { judgeRedirect, type RedirectRule } from './redirect.js';
import type { ApiRequest } from './request.js';
import { safeCause } from './safe-cause.js';

/** Everything a request needs besides the request itself. */
export interface TransportConfig {
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** The most of a response body the SDK reads; see body-limit.ts. */
  readonly maxResponseBytes: number;
  readonly retry: RetryPolicy;
  readonly random: () => number;
  readonly log: LogFn;
  readonly secrets: () => Iterable<string | undefined>;
  /** Holds each attempt until the rate limit has room for it, and hears of 429s. */
  readonly limiter?: AttemptLimiter | undefined;
}

export interface AttemptLimiter {
  /**
   * A place for one attempt: a permit when the request may go at once, else the promise of
   * one. The permit's `done()` is called when the attempt is over.
   */
  acquire(
    request: ApiRequest,
    signal: AbortSignal | undefined,
  ): RateLimitPermit | Promise<RateLimitPermit | undefined>;
  pause(request: ApiRequest, ms: number): void;
}

/**
 * How the body is read: inside the attempt, so a slow or cut body is timed out and retried
 * too — as text (the SDK's own JSON calls) or as bytes (`session.fetch`, which hands back any
 * body, binary included, exactly as it came) — or not at all (another host's answer, left to
 * the caller).
 */
export type ReadMode = 'text' | 'bytes' | 'none';
export type BodyOf<M extends ReadMode> = M extends 'text'
  ? string
  : M extends 'bytes'
    ? ArrayBuffer
    : undefined;

export interface AttemptOptions<M extends ReadMode> {
  readonly read: M;
  /** How redirects are handled; without a rule the request goes out with the caller's own `redirect`. */
  readonly redirects: RedirectRule | undefined;
  /** Redirects followed so far within this request. */
  readonly hops: number;
  /** "POST /Auth/loginKey", for messages. */
  readonly label: string;
}

export type AttemptResult<M extends ReadMode> =
  | { readonly kind: 'answer'; readonly response: Response; readonly body: BodyOf<M> }
  | { readonly kind: 'redirect'; readonly response: Response; readonly next: ApiRequest }
  | {
      readonly kind: 'no-answer';
      readonly timedOut: boolean;
      /** It certainly never reached a server: repeating it is always safe. */
      readonly notSent: boolean;
      /** The error to report if this was the last attempt (its message names the attempts). */
      readonly error: (attempts: number) => TestMaxError;
      /** "timeout", "network error (ECONNRESET)", for the debug line. */
      readonly outcome: string;
    };

/** Failures that happen before a request reaches the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

function failureCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** A fetch failure without its stack: "ECONNRESET", "fetch failed: other side closed". */
function describeFailure(error: unknown): string {
  const code = failureCode(error);
  if (code !== undefined) return code;
  const cause = (error as { cause?: { message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

export const attemptsText = (n: number) => (n === 1 ? '1 attempt' : `${n} attempts`);

const decoder = new TextDecoder();

/** Send `request` once. Rejects only with what must not be retried: an abort, a refused redirect, an answer too big. */
export async function attempt<M extends ReadMode>(
  cfg: TransportConfig,
  request: ApiRequest,
  options: AttemptOptions<M>,
): Promise<AttemptResult<M>> {
  const { signal } = request;
  const { read, redirects, label } = options;
  const guard = attemptSignal(signal, cfg.timeoutMs, cfg.clock);
  let response: Response | undefined;
  try {
    response = await cfg.fetch(request.url.toString(), {
      ...request.init,
      method: request.method,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
      ...(redirects ? { redirect: 'manual' as const } : {}),
      signal: guard.signal,
    });
    const verdict = redirects ? judgeRedirect(redirects, response, request, options.hops, label) : undefined;
    if (verdict?.kind === 'fail') throw verdict.error;
    if (verdict?.kind === 'follow') {
      guard.dispose();
      await response.body?.cancel().catch(() => {});
      return { kind: 'redirect', response, next: verdict.next };
    }
    if (read === 'none') {
      // The caller reads the body: its signal stays linked to it, the timer stops here.
      guard.disposeTimer();
      return { kind: 'answer', response, body: undefined as BodyOf<M> };
    }
    const bytes = await readCapped(response, cfg.maxResponseBytes);
    guard.dispose();
    return { kind: 'answer', response, body: (read === 'text' ? decoder.decode(bytes) : bytes) as BodyOf<M> };
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
      throw tooLargeError(cfg, label, response.status, error);
    }
    const { timedOut } = guard;
    const code = failureCode(error);
    // The server answered, with more header than Node reads: not the network, and the same again.
    if (code === 'UND_ERR_HEADERS_OVERFLOW') {
      throw new ApiError(
        `The TestMax API answered ${label} with headers larger than Node accepts, so the SDK could not read the answer`,
        {
          advice:
            'check the base URL (Node reads up to 16 KiB of headers unless --max-http-header-size says otherwise)',
        },
      );
    }
    return {
      kind: 'no-answer',
      timedOut,
      notSent: !timedOut && NOT_SENT.has(code ?? ''),
      outcome: timedOut ? 'timeout' : `network error (${describeFailure(error)})`,
      error: (attempts) =>
        timedOut
          ? new TimeoutError(
              `The TestMax API did not answer ${label} within ${cfg.timeoutMs} ms (${attemptsText(attempts)})`,
              cfg.timeoutMs,
              { advice: 'check your network, or raise timeoutMs if the service is slow' },
            )
          : new NetworkError(
              redact(
                `Could not reach the TestMax API at ${request.url.host} for ${label} (${describeFailure(error)}) after ${attemptsText(attempts)}`,
                cfg.secrets(),
              ),
              {
                advice: 'check your network connection and the base URL',
                cause: safeCause(error, cfg.secrets()),
              },
            ),
    };
  }
}

/** The answer's body was too big to read: an ApiError, never retried (it would be as big again). */
function tooLargeError(cfg: TransportConfig, label: string, status: number, error: unknown): ApiError {
  if (!(error instanceof OverLimit)) {
    return new ApiError(
      `The TestMax API answered ${label} with a body too large to hold in memory, so the SDK stopped reading and closed the connection`,
      { status, advice: 'check the base URL' },
    );
  }
  return new ApiError(
    `The TestMax API answered ${label} with more than ${formatBytes(cfg.maxResponseBytes)}, so the SDK stopped reading and closed the connection`,
    {
      status,
      maxResponseBytes: cfg.maxResponseBytes,
      advice: `check the base URL, or raise maxResponseBytes (${formatBytes(cfg.maxResponseBytes)}) if such answers are expected`,
    },
  );
}
