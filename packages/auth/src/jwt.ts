/** The claims the SDK cares about; anything else in the payload is kept but not interpreted. */
export interface JwtClaims {
  /** Expiry, seconds since the epoch (server clock). */
  exp?: number;
  /** Issued at, seconds since the epoch (server clock). */
  iat?: number;
  [claim: string]: unknown;
}

/** The largest time a Date can hold (±8.64e15 ms), in seconds. */
export const MAX_DATE_SECONDS = 8.64e12;

function base64UrlDecode(segment: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return undefined;
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  try {
    // atob and TextDecoder exist in every runtime this entry targets (no Buffer: browsers).
    const binary = atob(padded);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Read a JWT's payload WITHOUT verifying its signature (the server verifies; the client only
 * needs `exp`/`iat` to schedule refreshes). Returns `undefined` for anything that is not a
 * readable JWT; never throws, whatever the input.
 */
export function decodeJwt(token: unknown): JwtClaims | undefined {
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === '') return undefined;
  const json = base64UrlDecode(parts[1]);
  if (json === undefined) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const claims: JwtClaims = { ...(payload as Record<string, unknown>) };
  // exp/iat that are not plausible seconds within Date's range (non-numeric, negative, 1e300,
  // an iat after exp) are as good as none: the token is then treated as opaque.
  for (const key of ['exp', 'iat'] as const) {
    const value = claims[key];
    if (typeof value !== 'number' || !(value >= 0 && value <= MAX_DATE_SECONDS)) delete claims[key];
  }
  if (claims.exp !== undefined && claims.iat !== undefined && claims.iat >= claims.exp) delete claims.exp;
  return claims;
}
