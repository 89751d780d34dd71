import { describe, expect, it } from 'vitest';
import { decodeJwt } from '../src/jwt.js';
import { DEFAULT_LIFECYCLE, DEFAULT_RETRY, resolveRetry } from '../src/options.js';
import { redact } from '../src/redact.js';
import { isRefusal } from '../src/refusal.js';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from '../src/retry.js';
import { SingleFlight } from '../src/single-flight.js';
import { makeToken, refreshBackoffMs } from '../src/token.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.c2ln`;

describe('decodeJwt', () => {
  it('reads exp and iat without verifying the signature', () => {
    expect(decodeJwt(jwt({ sub: 'a', iat: 100, exp: 200 }))).toEqual({ sub: 'a', iat: 100, exp: 200 });
  });

  it('drops non-numeric exp/iat and refuses what is not a three-part JWT with an object payload', () => {
    expect(decodeJwt(jwt({ exp: '200', iat: null }))).toEqual({});
    for (const bad of [
      '',
      'abc',
      'a.b',
      'a.b.c.d',
      `x.${b64([1, 2])}.y`,
      `x.${b64('s')}.y`,
      'x.!!!.y',
      'x..y',
      42,
      null,
    ]) {
      expect(decodeJwt(bad)).toBeUndefined();
    }
  });

  it('decodes UTF-8 payloads', () => {
    expect(decodeJwt(jwt({ sub: 'zoë@例え.jp', exp: 1 }))?.sub).toBe('zoë@例え.jp');
  });
});

describe('token lifetime', () => {
  const policy = DEFAULT_LIFECYCLE;
  const now = 1_000_000_000_000;

  it('anchors exp - iat at the local receipt time, whatever the server clock says', () => {
    // Server clock 1 h behind: exp is "in the past" for an absolute reading, but L = 1000 s.
    const serverNow = now / 1000 - 3600;
    const state = makeToken(jwt({ iat: serverNow, exp: serverNow + 1000 }), 1, now, now, policy);
    expect(state.expiryKnown).toBe(true);
    expect(state.lifetimeMs).toBe(1_000_000);
    expect(state.expiresAtMs).toBe(now + 1_000_000);
    expect(state.refreshAtMs).toBe(now + 800_000);
    expect(state.renewByMs).toBe(now + 950_000);
    expect(refreshBackoffMs(state, policy)).toBe(50_000);
  });

  it('without iat uses exp minus the receipt time', () => {
    const state = makeToken(jwt({ exp: now / 1000 + 500 }), 1, now, now, policy);
    expect(state.lifetimeMs).toBe(500_000);
  });

  it('caps the margin and back-off for long tokens', () => {
    const state = makeToken(jwt({ iat: 0, exp: 86_400 }), 1, now, now, policy);
    expect(state.expiresAtMs - state.renewByMs).toBe(60_000);
    expect(refreshBackoffMs(state, policy)).toBe(300_000);
  });

  it('treats a token without a readable exp as opaque with a 24 h life', () => {
    for (const token of ['opaque', jwt({ sub: 'x' }), jwt({ iat: 10, exp: 5 - now })]) {
      const state = makeToken(token, 1, now, now, policy);
      expect(state.expiryKnown).toBe(false);
      expect(state.expiresAtMs).toBe(now + 86_400_000);
    }
  });

  it('reads a cached token against the local clock', () => {
    const state = makeToken(jwt({ iat: now / 1000 - 100, exp: now / 1000 + 900 }), 1, 'claims', now, policy);
    expect(state.expiresAtMs).toBe(now + 900_000);
    expect(state.lifetimeMs).toBe(1_000_000);
    expect(state.refreshAtMs).toBe(now + 700_000);
  });
});

describe('retry policy', () => {
  it('retries network-ish statuses only', () => {
    expect([408, 429, 500, 502, 503, 504, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 409, 413, 501, 505].some(isRetryableStatus)).toBe(false);
  });

  it('full jitter: uniform in [0, min(max, min·2^(n-1)))', () => {
    const policy = resolveRetry({ minDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
  });

  it('defaults and retry: false', () => {
    expect(resolveRetry(undefined).retries).toBe(DEFAULT_RETRY.retries);
    expect(resolveRetry(false).retries).toBe(0);
    expect(resolveRetry({ methods: ['get'] }).methods).toEqual(['GET']);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('Wed, 25 Nov 2026 07:27:50 GMT');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Wed, 25 Nov 2026 07:28:00 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 07:00:00 GMT', now)).toBe(0);
    for (const bad of [null, undefined, '', 'soon', '-1']) expect(parseRetryAfter(bad, now)).toBeUndefined();
  });
});

describe('redact', () => {
  it('removes given secrets, JWT-shaped strings and bearer values', () => {
    const token = jwt({ exp: 1 });
    expect(redact(`key tmx_secret_1234 token ${token} hdr Bearer abc.def`, ['tmx_secret_1234'])).toBe(
      'key [REDACTED] token [REDACTED] hdr Bearer [REDACTED]',
    );
  });
});

describe('SingleFlight', () => {
  it('shares one run among concurrent callers and frees the slot after a failure', async () => {
    const flight = new SingleFlight<number>();
    let runs = 0;
    const fail = () => {
      runs++;
      throw new Error('boom');
    };
    const results = await Promise.allSettled([
      flight.run(async () => fail()),
      flight.run(async () => fail()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(runs).toBe(1);
    expect(flight.inFlight).toBe(false);
    expect(await flight.run(async () => 7)).toBe(7);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const flight = new SingleFlight<number>();
    await expect(
      flight.run(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(flight.inFlight).toBe(false);
  });
});

describe('the refused-token envelope check', () => {
  const enc = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
  it.each([
    ['{"success":false,"errorCode":3,"errorMessage":"x"}', true],
    ['{ "success" : \n false, "errorCode": 1 }', true],
    ['{"success":false,"errorCode":99}', false],
    ['{"success":true,"errorCode":0,"accounts":[{"canTrade":false}]}', false],
    ['{"canTrade":false,"success":true,"errorCode":3}', false],
    ['not json "success":false', false],
  ])('%s → %s', (body, refused) => {
    expect(isRefusal(200, 'application/json; charset=utf-8', enc(body), true)).toBe(refused);
    // Not on an endpoint where errorCode 1/3 mean "who are you?", and never for other statuses.
    expect(isRefusal(200, 'application/json', enc(body), false)).toBe(false);
    expect(isRefusal(500, 'application/json', enc(body), true)).toBe(false);
  });

  it('a bare 401 is a refusal anywhere', () => {
    expect(isRefusal(401, null, new ArrayBuffer(0), false)).toBe(true);
  });
});
