/** The claims the SDK cares about; anything else in the payload is kept but not interpreted. */
export interface JwtClaims {
  /** Expiry, seconds since the epoch (server clock). */
  exp?: number;
  /** Issued at, seconds since the epoch (server clock). */
  iat?: number;
  [claim: string]: unknown;
}

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
  // A non-numeric exp/iat is as good as none: the token is then treated as opaque.
  for (const key of ['exp', 'iat'] as const) {
    const value = claims[key];
    if (typeof value !== 'number' || !Number.isFinite(value)) delete claims[key];
  }
  return claims;
}
