import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallCounter, MAX_COUNTED_PATHS } from '../src/call-counter.js';
import { DEMO_USER, type MockServer, startMockServer } from '../src/index.js';
import { call, login } from './helpers/api.js';

let server: MockServer;
beforeEach(async () => {
  server = await startMockServer();
});
afterEach(async () => {
  await server.close();
});

// A fault with a raw `body` is deliberately outside the contract (an HTML page from a proxy,
// truncated JSON), so only those calls skip the spec check. Everything the simulator fills in
// itself, faulted or not, must match the spec like any other answer.
const raw = { contract: false } as const;

describe('inject', () => {
  it('answers the next request with the status and headers, then behaves normally', async () => {
    server.inject('/Status/ping', { status: 429, headers: { 'Retry-After': '2' } });
    const limited = await call(server.url, '/Status/ping');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.json).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((await call(server.url, '/Status/ping')).status).toBe(200);
  });

  it('gives a generated 429 the Retry-After the spec requires, unless the fault sets one', async () => {
    server.inject('/Auth/loginKey', { status: 429 });
    server.inject('/Auth/loginKey', {
      status: 429,
      headers: { 'retry-after': 'Wed, 25 Nov 2026 07:28:00 GMT' },
    });
    server.inject('/Auth/loginKey', { status: 429, body: '' });
    const body = { userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey };
    expect((await call(server.url, '/Auth/loginKey', { body })).headers.get('retry-after')).toBe('1');
    expect((await call(server.url, '/Auth/loginKey', { body })).headers.get('retry-after')).toBe(
      'Wed, 25 Nov 2026 07:28:00 GMT',
    );
    // A raw body is the test's own answer: nothing is added to it.
    const bare = await call(server.url, '/Auth/loginKey', { body, ...raw });
    expect([bare.status, bare.headers.get('retry-after')]).toEqual([429, null]);
  });

  it.each([500, 502, 503, 504])(
    'answers a generated %i with a problem document the spec documents',
    async (status) => {
      server.inject('*', { status });
      const res = await call(server.url, '/Auth/validate', { body: {} });
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ status, title: expect.any(String) });
      // No Retry-After unless asked: a 5xx without one exercises a client's own backoff.
      expect(res.headers.get('retry-after')).toBeNull();
    },
  );

  it('sends a raw body with its content type: an HTML error page, truncated JSON, nothing', async () => {
    server.inject('/Auth/loginKey', {
      status: 502,
      body: '<html><body>Bad Gateway</body></html>',
      contentType: 'text/html',
    });
    server.inject('/Auth/loginKey', { status: 200, body: '{"success": tr' });
    server.inject('/Auth/loginKey', { status: 200, body: '{"success":true}' });
    server.inject('/Auth/loginKey', { status: 503, body: '' });
    const body = { userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey };
    const html = await call(server.url, '/Auth/loginKey', { body, ...raw });
    expect([html.status, html.headers.get('content-type'), html.text]).toEqual([
      502,
      'text/html',
      '<html><body>Bad Gateway</body></html>',
    ]);
    const truncated = await call(server.url, '/Auth/loginKey', { body, ...raw });
    expect([truncated.status, truncated.headers.get('content-type'), truncated.text]).toEqual([
      200,
      'text/plain; charset=utf-8',
      '{"success": tr',
    ]);
    const json = await call(server.url, '/Auth/loginKey', { body, ...raw });
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const empty = await call(server.url, '/Auth/loginKey', { body, ...raw });
    expect([empty.status, empty.text, empty.headers.get('content-type')]).toEqual([503, '', null]);
    expect((await call(server.url, '/Auth/loginKey', { body })).json.success).toBe(true);
  });

  it('answers an injected 401 like a real one: empty, with WWW-Authenticate', async () => {
    const token = await login(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    server.inject('/Account/search', { status: 401 });
    const res = await call(server.url, '/Account/search', { body: {}, token });
    expect([res.status, res.text, res.headers.get('www-authenticate')]).toEqual([401, '', 'Bearer']);
    expect((await call(server.url, '/Account/search', { body: {}, token })).json.success).toBe(true);
  });

  it('applies a fault `times` times', async () => {
    server.inject('/Status/ping', { status: 503, times: 2 });
    expect((await call(server.url, '/Status/ping')).status).toBe(503);
    expect((await call(server.url, '/Status/ping')).status).toBe(503);
    expect((await call(server.url, '/Status/ping')).status).toBe(200);
  });

  it('queues faults per path in order, and matches paths case-insensitively', async () => {
    server.inject('/status/PING', { status: 500 });
    server.inject('/Status/ping', { status: 503 });
    expect((await call(server.url, '/Status/ping')).status).toBe(500);
    expect((await call(server.url, '/Status/ping')).status).toBe(503);
    expect((await call(server.url, '/Status/ping')).status).toBe(200);
  });

  it('"*" applies to every path, after a path’s own faults', async () => {
    server.inject('*', { status: 500, times: 2 });
    server.inject('/Status/ping', { status: 429 });
    expect((await call(server.url, '/Status/ping')).status).toBe(429);
    expect((await call(server.url, '/Status/ping')).status).toBe(500);
    // A 5xx is a protocol-level answer, so the spec documents it even for a path it lacks.
    expect((await call(server.url, '/Nowhere')).status).toBe(500);
    expect((await call(server.url, '/Nowhere')).status).toBe(404);
  });

  it('adds headers to the normal answer when the fault has no status', async () => {
    server.inject('/Status/ping', { headers: { 'X-Test': 'yes' } });
    const res = await call(server.url, '/Status/ping');
    expect(res.headers.get('x-test')).toBe('yes');
    expect(res.json.success).toBe(true);
  });

  it('delays the answer, then handles the request normally, while other requests go ahead', async () => {
    server.inject('/Status/ping', { delayMs: 300 });
    const finished: string[] = [];
    const delayed = call(server.url, '/Status/ping').then((res) => {
      finished.push('delayed');
      return res;
    });
    await call(server.url, '/Status/ping').then(() => finished.push('undelayed'));
    expect((await delayed).json.success).toBe(true);
    expect(finished).toEqual(['undelayed', 'delayed']);
  });

  it('lets a client time out on a long delay, and stays usable', async () => {
    server.inject('/Status/ping', { delayMs: 60_000 });
    const error = await fetch(`${server.url}/Status/ping`, { signal: AbortSignal.timeout(50) }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
    expect((await call(server.url, '/Status/ping')).status).toBe(200);
  });

  it('drops the connection without an answer', async () => {
    server.inject('/Auth/loginKey', { drop: true });
    const error = await fetch(`${server.url}/Auth/loginKey`, { method: 'POST', body: '{}' }).catch((e) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as TypeError).cause)).toMatch(/other side closed|socket|reset/i);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('clearFaults drops everything queued', async () => {
    server.inject('*', { status: 500, times: 10 });
    server.inject('/Status/ping', { drop: true });
    server.clearFaults();
    expect((await call(server.url, '/Status/ping')).status).toBe(200);
  });

  it.each([
    [{ times: 0 }, /times/],
    [{ times: 1.5 }, /times/],
    [{ status: 99 }, /status/],
    [{ status: 700 }, /status/],
    [{ status: 101 }, /status/],
    [{ headers: { 'Bad Header': 'x' } }, /Header name/],
    [{ headers: { 'X-Ok': 'line\nbreak' } }, /Invalid character/],
  ])('rejects an impossible fault %j', (fault, message) => {
    expect(() => server.inject('/Status/ping', fault)).toThrow(message);
  });
});

describe('call counters', () => {
  it('count requests per path, including faulted and failed ones, and in total', async () => {
    server.inject('/Status/ping', { status: 503 });
    await call(server.url, '/Status/ping');
    await call(server.url, '/Status/ping');
    await call(server.url, '/Auth/loginKey', { body: {} });
    await call(server.url, '/Unknown');
    expect(server.calls('/Status/ping')).toBe(2);
    expect(server.calls('/status/ping')).toBe(2);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(server.calls('/Auth/logout')).toBe(0);
    expect(server.calls('/Unknown')).toBe(1);
    expect(server.calls()).toBe(4);
  });

  it('keep a bounded table: endless distinct unknown paths count in the total only', async () => {
    const distinct = MAX_COUNTED_PATHS + 200;
    for (let i = 0; i < distinct; i++) await call(server.url, `/Nope/${i}`);
    await call(server.url, '/Status/ping');
    // The first ones are counted per path; the rest only in the total, which stays exact.
    expect(server.calls('/Nope/0')).toBe(1);
    expect(server.calls(`/Nope/${distinct - 1}`)).toBe(0);
    // The API's own paths are always counted, however many unknown ones came first.
    expect(server.calls('/Status/ping')).toBe(1);
    expect(server.calls()).toBe(distinct + 1);
    const counter = new CallCounter();
    for (let i = 0; i < 10_000; i++) counter.add(`/x/${i}`, false);
    expect(counter.paths).toBe(MAX_COUNTED_PATHS);
    expect(counter.count(undefined)).toBe(10_000);
  });

  it('count CORS preflights apart, so calls() is exact whether or not a browser sent one', async () => {
    const preflight = {
      method: 'OPTIONS',
      contract: false,
      headers: { origin: 'http://localhost:5173' },
    } as const;
    await call(server.url, '/Auth/loginKey', preflight);
    await call(server.url, '/Auth/loginKey', {
      body: { userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey },
    });
    await call(server.url, '/Auth/validate', preflight);
    await call(server.url, '/Auth/validate', preflight);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(server.calls('/Auth/validate')).toBe(0);
    expect(server.calls()).toBe(1);
    expect(server.preflights('/Auth/loginKey')).toBe(1);
    expect(server.preflights('/auth/VALIDATE')).toBe(2);
    expect(server.preflights()).toBe(3);
    server.resetCalls();
    expect([server.calls(), server.preflights()]).toEqual([0, 0]);
  });

  it('resetCalls starts the counts again', async () => {
    await call(server.url, '/Status/ping');
    server.resetCalls();
    expect(server.calls()).toBe(0);
    await call(server.url, '/Status/ping');
    expect(server.calls('/Status/ping')).toBe(1);
  });
});
