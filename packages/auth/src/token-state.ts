import { checkNumber, definedFields } from './check.js';
import { ConfigError } from './errors.js';
import { decodeJwt, MAX_DATE_SECONDS } from './jwt.js';

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
  /**
   * Fraction of L to wait before asking again when validate returned the same token or
   * failed. Default 0.05.
   */
  backoff?: number;
  /** Cap of that back-off. Default 300 000 ms (5 min). */
  backoffMaxMs?: number;
  /** Lifetime assumed for a token without a readable `exp`. Default 24 h. */
  assumedLifetimeMs?: number;
}

export type LifecyclePolicy = Required<LifecycleOptions>;

export const DEFAULT_LIFECYCLE: LifecyclePolicy = Object.freeze({
  refreshAt: 0.8,
  expiryMargin: 0.05,
  expiryMarginMaxMs: 60_000,
  backoff: 0.05,
  backoffMaxMs: 300_000,
  assumedLifetimeMs: 86_400_000,
});

/** What the session knows about the token it holds. Times are on the local (injected) clock. */
export interface TokenState {
  readonly token: string;
  /** Bumped on every new token and on logout; a 401 or a refresh for an older one is stale. */
  readonly generation: number;
  readonly lifetimeMs: number;
  /** True when the token had no readable `exp`: the lifetime is assumed. */
  readonly opaque: boolean;
  readonly expiresAt: number;
  readonly refreshFrom: number;
  /** Expiry minus the safety margin: past it, log in again before handing the token out. */
  readonly hardExpiry: number;
  /** Earliest time of the next background refresh (moves on back-off). */
  nextRefreshAt: number;
  /** Set when the server refused this token: the next caller logs in again. */
  rejected: boolean;
}

/**
 * How the token's timeline is anchored. `receipt`: just received from the server, so the
 * lifetime `exp - iat` starts now on the local clock and clock skew does not matter.
 * `claims`: a token handed in from elsewhere (a cache), whose receipt time is unknown, so `exp`
 * is read against the local clock.
 */
export type Anchor = 'receipt' | 'claims';

export function tokenState(
  token: string,
  generation: number,
  now: number,
  anchor: Anchor,
  policy: LifecyclePolicy,
): TokenState {
  const claims = decodeJwt(token);
  const exp = claims?.exp;
  const iat = claims?.iat;
  let lifetimeMs: number | undefined;
  let expiresAt: number | undefined;
  if (exp !== undefined) {
    if (anchor === 'receipt') {
      lifetimeMs = iat !== undefined && exp > iat ? (exp - iat) * 1000 : exp * 1000 - now;
      expiresAt = now + lifetimeMs;
    } else {
      expiresAt = exp * 1000;
      lifetimeMs = iat !== undefined && exp > iat ? (exp - iat) * 1000 : expiresAt - now;
    }
  }
  // A cached token whose exp has passed is expired, not opaque: its lifetime is unknown (no
  // iat), so the assumed one scales the margins, but the expiry stays where exp says.
  if (anchor === 'claims' && expiresAt !== undefined && lifetimeMs !== undefined && !(lifetimeMs > 0)) {
    lifetimeMs = policy.assumedLifetimeMs;
  }
  // Past Date's range (now + a lifetime near 8.64e15 ms) expiresAt would be an Invalid Date.
  const opaque =
    lifetimeMs === undefined ||
    expiresAt === undefined ||
    !(lifetimeMs > 0) ||
    !(Math.abs(expiresAt) <= MAX_DATE_SECONDS * 1000);
  if (opaque) {
    lifetimeMs = policy.assumedLifetimeMs;
    expiresAt = now + lifetimeMs;
  }
  const L = lifetimeMs as number;
  const end = expiresAt as number;
  const issuedAt = end - L;
  const refreshFrom = issuedAt + policy.refreshAt * L;
  return {
    token,
    generation,
    lifetimeMs: L,
    opaque,
    expiresAt: end,
    refreshFrom,
    hardExpiry: end - Math.min(policy.expiryMargin * L, policy.expiryMarginMaxMs),
    nextRefreshAt: refreshFrom,
    rejected: false,
  };
}

/** How long to wait before asking `Auth/validate` again after "same token" or a failure. */
export function backoffMs(state: TokenState, policy: LifecyclePolicy): number {
  return Math.min(policy.backoff * state.lifetimeMs, policy.backoffMaxMs);
}

export function resolveLifecycle(
  options: LifecycleOptions | undefined,
  refreshAt: number | undefined,
): LifecyclePolicy {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new ConfigError('The option lifecycle must be an object of lifecycle settings.');
  }
  const merged = { ...DEFAULT_LIFECYCLE, ...definedFields(options), ...definedFields({ refreshAt }) };
  const fraction = (name: keyof LifecyclePolicy, above: boolean, max: number) =>
    checkNumber(name === 'refreshAt' ? 'refreshAt' : `lifecycle.${name}`, merged[name], {
      min: 0,
      above,
      max,
    });
  const ms = (name: keyof LifecyclePolicy, above = false) =>
    checkNumber(`lifecycle.${name}`, merged[name], { min: 0, above, infinite: !above });
  return {
    // 0 would refresh on every call; 1 means "never in the background, only at expiry".
    refreshAt: fraction('refreshAt', true, 1),
    expiryMargin: fraction('expiryMargin', false, 0.5),
    expiryMarginMaxMs: ms('expiryMarginMaxMs'),
    // 0 would call validate on every request while it keeps answering the same token.
    backoff: fraction('backoff', true, 1),
    backoffMaxMs: ms('backoffMaxMs', true),
    assumedLifetimeMs: checkNumber('lifecycle.assumedLifetimeMs', merged.assumedLifetimeMs, {
      min: 0,
      above: true,
    }),
  };
}
