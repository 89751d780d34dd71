import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_USER,
  GATEWAY_RATE_LIMITS,
  type MockServer,
  parseRateLimit,
  startMockServer,
} from '../src/index.js';
import { call, login } from './helpers/api.js';

// Every answer goes through call(), which checks it against the spec: a 429 must be the
// documented problem document with a valid Retry-After.

const OTHER = { userName: 'other@example.com', apiKey: 'other-key-0000' };
let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof startMockServer>[0]) {
  server = await startMockServer({ users: [DEMO_USER, OTHER], ...options });
  return server;
}

const search = (url: string, token: string) => call(url, '/Account/search', { body: {}, token });

describe('rateLimits', () => {
  it('are off by default', async () => {
    const s = await start({});
    const statuses = await Promise.all(Array.from({ length: 250 }, () => call(s.url, '/Status/ping')));
    expect(statuses.every((res) => res.status === 200)).toBe(true);
    expect(s.rateLimited()).toBe(0);
  });

  it('answer 429 beyond the limit, with Retry-After and the spec problem document; refused requests take no place', async () => {
    let now = 1_000_000;
    const s = await start({ rateLimits: [{ limit: 3, windowMs: 10_000 }], now: () => now });
    for (let i = 0; i < 3; i += 1) expect((await call(s.url, '/Status/ping')).status).toBe(200);
    now += 2_500;
    const limited = await call(s.url, '/Status/ping');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('8'); // the first place frees 7.5 s later: rounded up
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.json).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(limited.json.detail).toMatch(/Retry-After/);
    now += 7_499;
    expect((await call(s.url, '/Status/ping')).status).toBe(429);
    now += 1;
    // Exactly when the first three leave the window, three places: the refused ones took none.
    for (let i = 0; i < 3; i += 1) expect((await call(s.url, '/Status/ping')).status).toBe(200);
    expect((await call(s.url, '/Status/ping')).status).toBe(429);
    expect([s.calls('/Status/ping'), s.rateLimited('/Status/ping'), s.rateLimited()]).toEqual([9, 3, 3]);
    s.resetCalls();
    expect(s.rateLimited()).toBe(0);
  });

  it('count per user of the bearer token, and per IP address without one', async () => {
    const s = await start({ rateLimits: [{ limit: 3, windowMs: 600_000 }], now: () => 5_000 });
    // Logins have no bearer: they spend the IP's budget (2 of 3).
    const demo = await login(s.url, DEMO_USER.userName, DEMO_USER.apiKey);
    const other = await login(s.url, OTHER.userName, OTHER.apiKey);
    for (let i = 0; i < 3; i += 1) expect((await search(s.url, demo)).status).toBe(200);
    expect((await search(s.url, demo)).status).toBe(429);
    // Another user has a budget of their own, and so does the address.
    expect((await search(s.url, other)).status).toBe(200);
    expect((await call(s.url, '/Status/ping')).status).toBe(200);
    expect((await call(s.url, '/Status/ping')).status).toBe(429);
  });

  it('count a user’s revoked or forged-looking tokens against that user, and a foreign token against the IP', async () => {
    const s = await start({ rateLimits: [{ limit: 2, windowMs: 600_000 }], now: () => 5_000 });
    const demo = await login(s.url, DEMO_USER.userName, DEMO_USER.apiKey); // IP: 1 of 2
    s.revokeAllTokens();
    expect((await search(s.url, demo)).status).toBe(401);
    expect((await search(s.url, demo)).status).toBe(401);
    expect((await search(s.url, demo)).status).toBe(429); // the user's budget is spent
    expect((await search(s.url, 'not.a.token')).status).toBe(401); // IP: 2 of 2
    expect((await search(s.url, 'not.a.token')).status).toBe(429);
  });

  it('count a request against the rules its path matches', async () => {
    const s = await start({
      rateLimits: [
        { limit: 10, windowMs: 600_000 },
        { path: '/status/ping', limit: 1, windowMs: 600_000 },
      ],
      now: () => 5_000,
    });
    const demo = await login(s.url, DEMO_USER.userName, DEMO_USER.apiKey);
    expect((await call(s.url, '/Status/ping')).status).toBe(200);
    expect((await call(s.url, '/Status/ping/')).status).toBe(429);
    expect((await search(s.url, demo)).status).toBe(200);
  });

  it('true means the gateway limits: 200 per 60 s', async () => {
    expect(GATEWAY_RATE_LIMITS).toEqual([
      { limit: 200, windowMs: 60_000 },
      { path: '/History/retrieveBars', limit: 50, windowMs: 30_000 },
    ]);
    const s = await start({ rateLimits: true, now: () => 5_000 });
    const answers = [];
    for (let i = 0; i < 201; i += 1) answers.push((await call(s.url, '/Status/ping')).status);
    expect(answers.filter((status) => status === 200)).toHaveLength(200);
    expect(answers[200]).toBe(429);
  });

  it('leave injected faults first: a faulted request is answered by its fault', async () => {
    const s = await start({ rateLimits: [{ limit: 1, windowMs: 600_000 }], now: () => 5_000 });
    s.inject('/Status/ping', { status: 503 });
    expect((await call(s.url, '/Status/ping')).status).toBe(503);
    expect((await call(s.url, '/Status/ping')).status).toBe(200);
    expect((await call(s.url, '/Status/ping')).status).toBe(429);
  });

  it.each([
    [[{ limit: 0, windowMs: 1000 }], /rateLimits\[0\]\.limit/],
    [[{ limit: 1, windowMs: 1.5 }], /rateLimits\[0\]\.windowMs/],
    [
      [
        { limit: 1, windowMs: 10 },
        { limit: 1, windowMs: 10, path: '' },
      ],
      /rateLimits\[1\]\.path/,
    ],
    ['200/60s', /array/],
  ])('refuse impossible rules at start: %j', async (rateLimits, message) => {
    await expect(startMockServer({ rateLimits: rateLimits as never })).rejects.toThrow(message);
  });
});

describe('parseRateLimit', () => {
  it.each([
    ['200/60s', { limit: 200, windowMs: 60_000 }],
    ['200/60', { limit: 200, windowMs: 60_000 }],
    ['5/1500ms', { limit: 5, windowMs: 1_500 }],
    ['100/2m', { limit: 100, windowMs: 120_000 }],
    ['50/30s:/History/retrieveBars', { limit: 50, windowMs: 30_000, path: '/History/retrieveBars' }],
  ])('%s', (text, rule) => {
    expect(parseRateLimit(text)).toEqual(rule);
  });

  it.each(['', '200', '200/', '/60s', '200/60h', 'lots/60s', '2/1s:'])('refuses %j', (text) => {
    expect(() => parseRateLimit(text)).toThrow(/LIMIT\/WINDOW/);
  });
});
