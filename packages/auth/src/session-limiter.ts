/**
 * The session's rate limit, as the transport sees it: a place before each attempt to the API
 * (the SDK's own calls included), a pause after a 429. A shared limiter that fails (Redis down)
 * never stops the API: the session falls back to a limiter of its own with the gateway's
 * limits, warns once, and tries the shared one again after a back-off.
 */
import type { AttemptLimiter } from './attempt.js';
import type { Clock } from './clock.js';
import { ADMIT_NOW, type AdmitNow, createRateLimiter } from './create-rate-limiter.js';
import { ConfigError, StoreError } from './errors.js';
import type { LogFn } from './logger.js';
import type { AuthSessionOptions } from './options.js';
import type { RateLimitedRequest, RateLimiter } from './rate-limiter.js';
import type { ApiRequest } from './request.js';
import type { TokenScope } from './token-store.js';

const RETRY_SHARED_MS = 5_000;

type Limiter = RateLimiter & { [ADMIT_NOW]?: AdmitNow };

function isLimiter(value: unknown): value is RateLimiter {
  return (
    typeof (value as RateLimiter).acquire === 'function' && typeof (value as RateLimiter).pause === 'function'
  );
}

export function sessionLimiter(
  option: AuthSessionOptions['rateLimit'],
  scope: TokenScope,
  clock: Clock,
  log: LogFn,
): AttemptLimiter | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (option === null || typeof option !== 'object')) {
    throw new ConfigError(
      'The option rateLimit must be false, { rules }, or a rate limiter such as redisRateLimiter().',
    );
  }
  const shared = option !== undefined && isLimiter(option);
  const own: Limiter = shared
    ? createRateLimiter({ clock })
    : createRateLimiter({ clock, rules: option?.rules });
  const primary: Limiter = shared ? option : own;
  let sharedBackAtMs = 0;
  let warned = false;
  const placeOf = (request: ApiRequest): RateLimitedRequest => ({ scope, path: request.url.pathname });

  const fallBack = (error: unknown, place: RateLimitedRequest, signal: AbortSignal | undefined) => {
    if (!(error instanceof StoreError) || primary === own) throw error;
    sharedBackAtMs = clock.now() + RETRY_SHARED_MS;
    const message = `the shared rate limiter failed (${error.message}); this session counts its requests itself, with the gateway's limits, and tries the shared one again in ${RETRY_SHARED_MS / 1000} s`;
    log(warned ? 'debug' : 'warn', message);
    warned = true;
    return own.acquire(place, signal).then((permit) => permit || undefined);
  };

  return {
    acquire(request, signal) {
      const place = placeOf(request);
      const limiter = clock.now() < sharedBackAtMs ? own : primary;
      const now = limiter[ADMIT_NOW]?.(place);
      if (now) return now;
      return limiter.acquire(place, signal).then(
        (permit) => {
          if (limiter === primary) warned = false;
          return permit || undefined;
        },
        (error: unknown) => fallBack(error, place, signal),
      );
    },
    pause(request, ms) {
      const place = placeOf(request);
      primary.pause(place, ms);
      if (primary !== own) own.pause(place, ms);
    },
  };
}
