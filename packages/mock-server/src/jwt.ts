import { createHmac, timingSafeEqual } from 'node:crypto';

/** Claims the simulator puts in (and expects from) a session token. */
export interface TokenClaims {
  /** The user name the token was issued to. */
  sub: string;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expires at, seconds since the epoch. */
  exp: number;
  /** Unique token id; the server revokes tokens by it. */
  jti: string;
  [claim: string]: unknown;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function base64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url');
}

function sign(input: string, secret: string): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

/**
 * Sign `payload` as an HS256 JWT. Exported so tests elsewhere can craft tokens the simulator
 * would issue (or, with a different secret, ones it must reject).
 */
export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const body = `${HEADER}.${base64url(JSON.stringify(payload))}`;
  return `${body}.${sign(body, secret)}`;
}

/**
 * Verify an HS256 JWT's header and signature and return its claims, or `undefined` for anything
 * malformed, signed with another key or algorithm, or missing the claims the simulator issues.
 * Expiry and revocation are the caller's business.
 */
export function verifyJwt(token: string, secret: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = Buffer.from(sign(`${header}.${payload}`, secret));
  const actual = Buffer.from(signature);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return undefined;
  const head = parseJson(header);
  if (!isRecord(head) || head.alg !== 'HS256') return undefined;
  const claims = parseJson(payload);
  if (
    !isRecord(claims) ||
    typeof claims.sub !== 'string' ||
    typeof claims.iat !== 'number' ||
    typeof claims.exp !== 'number' ||
    typeof claims.jti !== 'string'
  ) {
    return undefined;
  }
  return claims as TokenClaims;
}

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
