import { describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from '../src/index.js';

const claims = { sub: 'a@b.c', iat: 1_700_000_000, exp: 1_700_003_600, jti: 'id-1' };

describe('signJwt / verifyJwt', () => {
  it('round-trips claims with the same secret', () => {
    expect(verifyJwt(signJwt(claims, 's3cret'), 's3cret')).toEqual(claims);
  });

  it('produces a standard HS256 JWT (checked against an independently computed signature)', () => {
    // Signature from: printf %s "$header.$payload" | openssl dgst -sha256 -hmac secret -binary | base64 (url-safe, unpadded)
    const token = signJwt({ sub: 'x' }, 'secret');
    expect(token).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.TKECX_pF_bzlcgrzGibhwL3tklDD4LdEEzXVQCw00qY',
    );
  });

  it.each([
    ['another secret', signJwt(claims, 'other')],
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['a payload that is not JSON', `eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.${'x'.repeat(43)}`],
    ['missing claims', signJwt({ sub: 'a@b.c' }, 's3cret')],
    ['a string exp', signJwt({ ...claims, exp: 'tomorrow' }, 's3cret')],
  ])('rejects a token with %s', (_name, token) => {
    expect(verifyJwt(token, 's3cret')).toBeUndefined();
  });
});
