import { describe, expect, it } from 'vitest';
import { decodeJwt } from '../src/jwt.js';
import { DEFAULT_LIFECYCLE } from '../src/options.js';
import { makeToken } from '../src/token.js';
import { closeServersAfterEach, demoSession, mockServer } from './helpers/server.js';

closeServersAfterEach();

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.c2ln`;
const DAY_MS = 86_400_000;

/** Claims no real server sends: a time past Date's range, negative, or an iat after exp. */
const ABSURD: Record<string, unknown>[] = [
  { exp: 1e300 },
  { exp: 8_640_000_000_000.001 },
  { iat: 0, exp: 1e308 },
  { exp: -5 },
  { iat: 2_000_000_000, exp: 1_900_000_000 },
  { iat: -1e300, exp: 1_900_000_000 },
  { iat: 1e300, exp: 1_900_000_000 },
];

describe('exp/iat outside any plausible time', () => {
  it('decodeJwt drops an exp or iat outside Date range, negative, or an exp not after iat', () => {
    expect(decodeJwt(jwt({ exp: 1e300 }))).toEqual({});
    expect(decodeJwt(jwt({ exp: -5, iat: -1 }))).toEqual({});
    expect(decodeJwt(jwt({ iat: 1e300, exp: 1_900_000_000 }))).toEqual({ exp: 1_900_000_000 });
    expect(decodeJwt(jwt({ iat: 2_000_000_000, exp: 1_900_000_000 }))).toEqual({ iat: 2_000_000_000 });
    expect(decodeJwt(jwt({ iat: 100, exp: 200 }))).toEqual({ iat: 100, exp: 200 });
  });

  it('makeToken treats such a token as opaque (24 h) with a valid expiry, whatever the anchor', () => {
    const now = 1_700_000_000_000;
    for (const claims of ABSURD) {
      for (const anchor of ['receipt', 'claims'] as const) {
        const state = makeToken(jwt(claims), 1, anchor === 'receipt' ? now : anchor, now, DEFAULT_LIFECYCLE);
        expect(Number.isNaN(new Date(state.expiresAtMs).getTime()), JSON.stringify(claims)).toBe(false);
        expect(Number.isFinite(state.renewByMs) && Number.isFinite(state.refreshAtMs)).toBe(true);
        if (claims.exp !== 1_900_000_000) {
          expect(!state.expiryKnown, JSON.stringify(claims)).toBe(true);
          expect(state.expiresAtMs).toBe(now + DAY_MS);
        }
      }
    }
    // The very edge of the range: now + L would overflow on receipt, so that is opaque too.
    const edge = makeToken(jwt({ iat: 0, exp: 8.64e12 }), 1, now, now, DEFAULT_LIFECYCLE);
    expect(edge.expiryKnown).toBe(false);
    expect(edge.expiresAtMs).toBe(now + DAY_MS);
  });

  it('a session given such a token has a real expiresAt, serialises, and keeps serving it', async () => {
    const server = await mockServer();
    let logins = 0;
    for (const claims of [{ exp: 1e300 }, { iat: 0, exp: 1e308 }, { iat: 5e12, exp: 1 }]) {
      logins++;
      const token = jwt(claims);
      server.inject('/Auth/loginKey', {
        status: 200,
        body: JSON.stringify({ success: true, errorCode: 0, errorMessage: null, token }),
      });
      const { session } = demoSession(server);
      const before = Date.now();
      expect(await session.getSessionToken()).toBe(token);
      const expiresAt = session.expiresAt?.getTime() ?? Number.NaN;
      expect(expiresAt).toBeGreaterThanOrEqual(before + DAY_MS);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS);
      expect(() => JSON.stringify(session)).not.toThrow();
      expect(JSON.parse(JSON.stringify(session)).expiresAt).toBe(new Date(expiresAt).toISOString());
      // Opaque for 24 h: no second login on the next call.
      await session.getSessionToken();
      expect(server.calls('/Auth/loginKey')).toBe(logins);
    }
    expect(server.calls('/Auth/loginKey')).toBe(3);
  });

  it('a cached token whose exp has passed (no iat) is expired, not good for another 24 h', () => {
    const now = Date.UTC(2026, 5, 1);
    const state = makeToken(jwt({ exp: now / 1000 - 3600 }), 1, 'claims', now, DEFAULT_LIFECYCLE);
    expect(state.expiryKnown).toBe(true);
    expect(state.expiresAtMs).toBe(now - 3_600_000);
    expect(state.renewByMs).toBeLessThan(now);
  });
});
