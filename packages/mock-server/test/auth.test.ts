import { ManualClock } from '@testmax/test-support/manual-clock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_USER,
  type MockServer,
  type MockServerOptions,
  signJwt,
  startMockServer,
} from '../src/index.js';
import { call, claimsOf, login } from './helpers/api.js';

const { userName, apiKey } = DEMO_USER;
const REJECTED = { success: false, errorCode: 3, errorMessage: 'Token is missing, expired or invalid' };

let server: MockServer;
afterEach(async () => {
  await server?.close();
});

async function start(options: MockServerOptions = {}): Promise<MockServer> {
  server = await startMockServer(options);
  return server;
}

/** A clock the test moves by hand. */
/** The shared manual clock, moved in seconds here (the simulator counts token lifetimes in seconds). */
function manualClock(start = Date.UTC(2026, 10, 24, 12)) {
  const manual = new ManualClock(start);
  const clock = {
    get ms() {
      return manual.now();
    },
    now: manual.now,
    advance: (sec: number) => manual.advance(sec * 1000),
  };
  return clock;
}

describe('Auth/loginKey', () => {
  it('issues an HS256 JWT with sub, iat, exp and jti for the demo user', async () => {
    const clock = manualClock();
    const { url } = await start({ now: clock.now, tokenLifetimeSec: 3600 });
    const res = await call(url, '/Auth/loginKey', { body: { userName, apiKey } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ success: true, errorCode: 0, errorMessage: null });
    const [header] = res.json.token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = claimsOf(res.json.token);
    expect(claims).toMatchObject({ sub: userName, iat: clock.ms / 1000, exp: clock.ms / 1000 + 3600 });
    expect(claims.jti).toEqual(expect.any(String));
  });

  it('signs with the configured secret, so a token signed elsewhere with it verifies the same way', async () => {
    const { url } = await start({ secret: 'test-secret' });
    const token = await login(url, userName, apiKey);
    expect(signJwt(claimsOf(token), 'test-secret')).toBe(token);
  });

  it('gives every login a distinct token', async () => {
    const { url } = await start();
    const first = await login(url, userName, apiKey);
    const second = await login(url, userName, apiKey);
    expect(second).not.toBe(first);
  });

  it('matches the user name case-insensitively, as e-mail addresses are', async () => {
    const { url } = await start();
    await expect(login(url, userName.toUpperCase(), apiKey)).resolves.toEqual(expect.any(String));
  });

  it.each([
    ['an unknown user', { userName: 'nobody@testmax.local', apiKey }, 1, 'Invalid credentials'],
    ['a wrong key', { userName, apiKey: 'wrong' }, 3, 'Invalid credentials'],
    ['a missing apiKey', { userName }, 3, 'userName and apiKey are required'],
    ['a missing userName', { apiKey }, 3, 'userName and apiKey are required'],
    ['empty fields', { userName: '', apiKey: '' }, 3, 'userName and apiKey are required'],
    ['a blank userName', { userName: '   ', apiKey }, 3, 'userName and apiKey are required'],
    ['null fields', { userName: null, apiKey: null }, 3, 'userName and apiKey are required'],
    ['an empty object', {}, 3, 'userName and apiKey are required'],
  ])(
    'answers %s with HTTP 200, success false, errorCode %i',
    async (_name, body, errorCode, errorMessage) => {
      const { url } = await start();
      const res = await call(url, '/Auth/loginKey', { body });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ success: false, errorCode, errorMessage, token: null });
    },
  );

  it('answers an empty request body with a 400, as the body is required', async () => {
    const { url } = await start();
    const res = await call(url, '/Auth/loginKey', { method: 'POST', rawBody: '' });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ status: 400, detail: 'A non-empty request body is required.' });
  });

  it('refuses a disabled account with errorCode 3, "Account is disabled"', async () => {
    const { url } = await start({ users: [{ userName: 'off@testmax.local', apiKey: 'k', disabled: true }] });
    const res = await call(url, '/Auth/loginKey', { body: { userName: 'off@testmax.local', apiKey: 'k' } });
    expect(res.json).toEqual({
      success: false,
      errorCode: 3,
      errorMessage: 'Account is disabled',
      token: null,
    });
  });

  it('does not reveal that an account is disabled to someone with the wrong key', async () => {
    const { url } = await start({ users: [{ userName: 'off@testmax.local', apiKey: 'k', disabled: true }] });
    const res = await call(url, '/Auth/loginKey', {
      body: { userName: 'off@testmax.local', apiKey: 'nope' },
    });
    expect(res.json.errorMessage).toBe('Invalid credentials');
  });

  it('answers errorCode 9 for a user without a Pro subscription', async () => {
    const { url } = await start({
      users: [{ userName: 'free@testmax.local', apiKey: 'k', subscribed: false }],
    });
    const res = await call(url, '/Auth/loginKey', { body: { userName: 'free@testmax.local', apiKey: 'k' } });
    expect(res.json).toMatchObject({ success: false, errorCode: 9, token: null });
    expect(res.json.errorMessage).toMatch(/subscription/i);
  });

  it('knows only the configured users when `users` is given', async () => {
    const { url } = await start({ users: [{ userName: 'me@example.com', apiKey: 'mine' }] });
    await expect(login(url, 'me@example.com', 'mine')).resolves.toEqual(expect.any(String));
    const res = await call(url, '/Auth/loginKey', { body: { userName, apiKey } });
    expect(res.json.errorCode).toBe(1);
  });

  it('setUser adds a user at run time and can disable one mid-session', async () => {
    const { url } = await start();
    server.setUser({ userName: 'late@testmax.local', apiKey: 'late' });
    const token = await login(url, 'late@testmax.local', 'late');
    server.setUser({ userName: 'late@testmax.local', apiKey: 'late', disabled: true });
    const search = await call(url, '/Account/search', { body: {}, token });
    expect(search.status).toBe(401);
    const relogin = await call(url, '/Auth/loginKey', {
      body: { userName: 'late@testmax.local', apiKey: 'late' },
    });
    expect(relogin.json.errorMessage).toBe('Account is disabled');
  });
});

describe('Auth/validate', () => {
  it('returns the same token while it is outside the refresh window', async () => {
    const clock = manualClock();
    const { url } = await start({ now: clock.now, tokenLifetimeSec: 1000, refreshWindowSec: 200 });
    const token = await login(url, userName, apiKey);
    clock.advance(799);
    const res = await call(url, '/Auth/validate', { body: {}, token });
    expect(res.json).toEqual({ success: true, errorCode: 0, errorMessage: null, token });
  });

  it('returns a new token, with a later exp, inside the refresh window; both stay usable', async () => {
    const clock = manualClock();
    const { url } = await start({ now: clock.now, tokenLifetimeSec: 1000, refreshWindowSec: 200 });
    const token = await login(url, userName, apiKey);
    clock.advance(801);
    const res = await call(url, '/Auth/validate', { body: {}, token });
    expect(res.json).toMatchObject({ success: true, errorCode: 0, errorMessage: null });
    const fresh: string = res.json.token;
    expect(fresh).not.toBe(token);
    expect(claimsOf(fresh).exp).toBe((claimsOf(token).exp as number) + 801);
    expect((await call(url, '/Account/search', { body: {}, token })).json.success).toBe(true);
    expect((await call(url, '/Account/search', { body: {}, token: fresh })).json.success).toBe(true);
  });

  it('defaults the refresh window to 20% of the lifetime', async () => {
    const clock = manualClock();
    const { url } = await start({ now: clock.now, tokenLifetimeSec: 100 });
    const token = await login(url, userName, apiKey);
    clock.advance(79);
    expect((await call(url, '/Auth/validate', { body: {}, token })).json.token).toBe(token);
    clock.advance(2);
    expect((await call(url, '/Auth/validate', { body: {}, token })).json.token).not.toBe(token);
  });

  it('names the field newToken with validateTokenField "newToken" (ProjectX style)', async () => {
    const { url } = await start({ validateTokenField: 'newToken' });
    const token = await login(url, userName, apiKey);
    const res = await call(url, '/Auth/validate', { body: {}, token });
    expect(res.json).toEqual({ success: true, errorCode: 0, errorMessage: null, newToken: token });
  });

  it('rejects an expired token with a bare 401 and WWW-Authenticate: Bearer', async () => {
    const clock = manualClock();
    const { url } = await start({ now: clock.now, tokenLifetimeSec: 60 });
    const token = await login(url, userName, apiKey);
    clock.advance(60);
    const res = await call(url, '/Auth/validate', { body: {}, token });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.text).toBe('');
  });

  it('keeps a token alive for exactly its lifetime, even when issued mid-second', async () => {
    const clock = manualClock(Date.UTC(2026, 10, 24, 12) + 900);
    const { url } = await start({ now: clock.now, tokenLifetimeSec: 10 });
    const token = await login(url, userName, apiKey);
    const claims = claimsOf(token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(10);
    clock.advance(9.95);
    expect((await call(url, '/Auth/validate', { body: {}, token })).status).toBe(200);
    clock.advance(0.05);
    expect((await call(url, '/Auth/validate', { body: {}, token })).status).toBe(401);
  });

  it('rejects a token whose signature was tampered with', async () => {
    const { url } = await start();
    const token = await login(url, userName, apiKey);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(
      (await call(url, '/Auth/validate', { body: {}, token: `${header}.${payload}.${flipped}` })).status,
    ).toBe(401);
  });

  it('rejects a token whose claims were changed (a longer exp) without re-signing', async () => {
    const { url } = await start();
    const token = await login(url, userName, apiKey);
    const [header, , signature] = token.split('.');
    const claims = { ...claimsOf(token), exp: (claimsOf(token).exp as number) + 10_000 };
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    expect((await call(url, '/Auth/validate', { body: {}, token: forged })).status).toBe(401);
  });

  it('rejects a well-signed token it never issued, and one signed with another secret', async () => {
    const { url } = await start({ secret: 'shared' });
    const iat = Math.floor(Date.now() / 1000);
    const claims = { sub: userName, iat, exp: iat + 3600, jti: 'never-issued' };
    expect((await call(url, '/Auth/validate', { body: {}, token: signJwt(claims, 'shared') })).status).toBe(
      401,
    );
    const token = await login(url, userName, apiKey);
    const resigned = signJwt(claimsOf(token), 'other-secret');
    expect((await call(url, '/Auth/validate', { body: {}, token: resigned })).status).toBe(401);
  });

  it('rejects an alg "none" token', async () => {
    const { url } = await start();
    const token = await login(url, userName, apiKey);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const unsigned = `${none}.${token.split('.')[1]}.`;
    expect((await call(url, '/Auth/validate', { body: {}, token: unsigned })).status).toBe(401);
  });

  it('rejects every token after revokeAllTokens()', async () => {
    const { url } = await start();
    const token = await login(url, userName, apiKey);
    server.revokeAllTokens();
    expect((await call(url, '/Auth/validate', { body: {}, token })).status).toBe(401);
    await expect(login(url, userName, apiKey)).resolves.toEqual(expect.any(String));
  });
});

describe('Auth/logout', () => {
  it('revokes the token: it is unusable afterwards, and a second logout is a 401', async () => {
    const { url } = await start();
    const token = await login(url, userName, apiKey);
    const res = await call(url, '/Auth/logout', { body: {}, token });
    expect(res.json).toEqual({ success: true, errorCode: 0, errorMessage: null });
    expect((await call(url, '/Auth/validate', { body: {}, token })).status).toBe(401);
    expect((await call(url, '/Account/search', { body: {}, token })).status).toBe(401);
    expect((await call(url, '/Auth/logout', { body: {}, token })).status).toBe(401);
  });

  it('ends the whole session, including tokens refreshed from the one logged out', async () => {
    const clock = manualClock();
    const { url } = await start({ now: clock.now, tokenLifetimeSec: 100 });
    const token = await login(url, userName, apiKey);
    clock.advance(90);
    const fresh: string = (await call(url, '/Auth/validate', { body: {}, token })).json.token;
    expect(fresh).not.toBe(token);
    await call(url, '/Auth/logout', { body: {}, token: fresh });
    expect((await call(url, '/Account/search', { body: {}, token })).status).toBe(401);
  });

  it('leaves other sessions of the same user alone', async () => {
    const { url } = await start();
    const phone = await login(url, userName, apiKey);
    const laptop = await login(url, userName, apiKey);
    await call(url, '/Auth/logout', { body: {}, token: phone });
    expect((await call(url, '/Account/search', { body: {}, token: laptop })).json.success).toBe(true);
  });
});

describe('unauthorizedStyle: "body"', () => {
  it('answers a rejected token with HTTP 200 and the operation-shaped success:false body', async () => {
    const { url } = await start({ unauthorizedStyle: 'body' });
    const token = 'not-a-token';
    const validate = await call(url, '/Auth/validate', { body: {}, token });
    expect(validate.status).toBe(200);
    expect(validate.json).toEqual({ ...REJECTED, token: null });
    expect((await call(url, '/Auth/logout', { body: {}, token })).json).toEqual(REJECTED);
    expect((await call(url, '/Account/search', { body: {}, token })).json).toEqual({
      ...REJECTED,
      accounts: [],
    });
    expect((await call(url, '/Account/search', { body: {} })).json).toEqual({ ...REJECTED, accounts: [] });
  });

  it('uses the configured validate field in the rejection too', async () => {
    const { url } = await start({ unauthorizedStyle: 'body', validateTokenField: 'newToken' });
    const res = await call(url, '/Auth/validate', { body: {} });
    expect(res.json).toEqual({ ...REJECTED, newToken: null });
  });

  it('still accepts good tokens', async () => {
    const { url } = await start({ unauthorizedStyle: 'body' });
    const token = await login(url, userName, apiKey);
    expect((await call(url, '/Auth/validate', { body: {}, token })).json).toMatchObject({
      success: true,
      token,
    });
  });
});
