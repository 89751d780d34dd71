/**
 * A token as the session holds it: an immutable record, replaced (never changed) when anything
 * about it changes, so "is this still the current token?" is one `===`. Times are epoch ms on
 * the session's clock.
 */
import { decodeJwt, MAX_DATE_SECONDS } from './jwt.js';
import type { LifecyclePolicy } from './options.js';

export interface Token {
  readonly value: string;
  /** The store's generation of this token (0: the session's own, not from a store). */
  readonly generation: number;
  /** When it was received from the server, as written to the store. */
  readonly receivedAtMs: number;
  readonly lifetimeMs: number;
  /** False when the token has no readable `exp`: its lifetime is assumed. */
  readonly expiryKnown: boolean;
  readonly expiresAtMs: number;
  /** From here on it is refreshed through `Auth/validate` in the background. */
  readonly refreshAtMs: number;
  /** Expiry minus the safety margin: from here on it is replaced by a login before use. */
  readonly renewByMs: number;
  /** The server refused it: the next caller logs in again. */
  readonly refused: boolean;
  /**
   * Where the session got it: its own login (or a refresh of one that never reached the
   * store), a refresh (`Auth/validate`), the store, or the `token` option. Only a login of its
   * own is a session of its own, which it may revoke; with generation 0 nobody else has it.
   */
  readonly origin?: 'login' | 'refresh' | 'store' | 'given';
}

/**
 * Where the token's timeline comes from. A number: when it was received (epoch ms), so its
 * lifetime `exp - iat` starts then on the local clock and clock skew does not matter.
 * `'claims'`: a token handed in from elsewhere (the `token` option) whose receipt time is
 * unknown, so `exp` is read against the local clock.
 */
export type Timeline = number | 'claims';

export function makeToken(
  value: string,
  generation: number,
  timeline: Timeline,
  nowMs: number,
  policy: LifecyclePolicy,
): Token {
  const { exp, iat } = decodeJwt(value) ?? {};
  const lifeFromClaims = exp !== undefined && iat !== undefined && exp > iat ? (exp - iat) * 1000 : undefined;
  let lifetimeMs: number | undefined;
  let expiresAtMs: number | undefined;
  if (exp !== undefined && timeline !== 'claims') {
    lifetimeMs = lifeFromClaims ?? exp * 1000 - timeline;
    expiresAtMs = timeline + lifetimeMs;
  } else if (exp !== undefined) {
    expiresAtMs = exp * 1000;
    lifetimeMs = lifeFromClaims ?? expiresAtMs - nowMs;
    // A cached token whose exp has passed is expired, not of unknown expiry: its lifetime is
    // unknown (no iat), so the assumed one scales the margins, but the expiry stays where exp says.
    if (!(lifetimeMs > 0)) lifetimeMs = policy.assumedLifetimeMs;
  }
  // Past Date's range (now + a lifetime near 8.64e15 ms) the expiry would be an Invalid Date.
  const expiryKnown =
    lifetimeMs !== undefined &&
    expiresAtMs !== undefined &&
    lifetimeMs > 0 &&
    Math.abs(expiresAtMs) <= MAX_DATE_SECONDS * 1000;
  const receivedAtMs = timeline === 'claims' ? nowMs : timeline;
  if (!expiryKnown) {
    lifetimeMs = policy.assumedLifetimeMs;
    expiresAtMs = receivedAtMs + lifetimeMs;
  }
  const L = lifetimeMs as number;
  const end = expiresAtMs as number;
  return {
    value,
    generation,
    receivedAtMs,
    lifetimeMs: L,
    expiryKnown,
    expiresAtMs: end,
    refreshAtMs: end - L + policy.refreshAt * L,
    renewByMs: end - Math.min(policy.expiryMargin * L, policy.expiryMarginMaxMs),
    refused: false,
  };
}

/** Past the point from which the token is refreshed in the background. */
export function isPastRefreshPoint(token: Token, nowMs: number): boolean {
  return nowMs >= token.refreshAtMs;
}

/** The token may not be handed out any more: refused, or too close to its expiry. */
export function mustRenew(token: Token, nowMs: number): boolean {
  return token.refused || nowMs >= token.renewByMs;
}

/** How long to wait before asking `Auth/validate` again after "same token" or a failure. */
export function refreshBackoffMs(token: Token, policy: LifecyclePolicy): number {
  return Math.min(policy.backoff * token.lifetimeMs, policy.backoffMaxMs);
}
