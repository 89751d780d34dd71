import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_USER, type MockServer, startMockServer } from '../src/index.js';
import { call, login } from './helpers/api.js';

let server: MockServer;
beforeEach(async () => {
  server = await startMockServer();
});
afterEach(async () => {
  // Whatever a test sent, the simulator must still answer afterwards.
  expect((await call(server.url, '/Status/ping')).json.success).toBe(true);
  await server.close();
});

describe('malformed and mistyped bodies', () => {
  it.each(['/Auth/loginKey', '/Auth/validate', '/Auth/logout', '/Account/search'])(
    'answers malformed JSON on %s with a 400 problem document',
    async (path) => {
      const res = await call(server.url, path, {
        method: 'POST',
        rawBody: '{"userName": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.json).toMatchObject({ status: 400, detail: 'The request body is not valid JSON.' });
    },
  );

  it.each([
    ['an array', []],
    ['a string', 'demo'],
    ['a number', 42],
    ['null', null],
  ])('answers %s instead of an object with a 400', async (_name, body) => {
    for (const path of ['/Auth/loginKey', '/Auth/validate', '/Auth/logout', '/Account/search']) {
      const res = await call(server.url, path, { body });
      expect(res.status, path).toBe(400);
      expect(res.json.detail).toBe('The request body must be a JSON object.');
    }
  });

  it.each([
    [{ userName: 42, apiKey: 'k' }, 'The field userName must be a string.'],
    [{ userName: 'a@b.c', apiKey: ['k'] }, 'The field apiKey must be a string.'],
    [{ userName: { $ne: '' }, apiKey: 'k' }, 'The field userName must be a string.'],
  ])('answers wrongly typed login fields (%j) with a 400', async (body, detail) => {
    const res = await call(server.url, '/Auth/loginKey', { body });
    expect(res.status).toBe(400);
    expect(res.json.detail).toBe(detail);
  });

  it('answers a non-boolean onlyActiveAccounts with a 400, before looking at the token', async () => {
    const token = await login(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    const res = await call(server.url, '/Account/search', { body: { onlyActiveAccounts: 'yes' }, token });
    expect(res.status).toBe(400);
    expect(res.json.detail).toBe('The field onlyActiveAccounts must be a boolean or null.');
  });

  it.each([
    ['/Auth/validate', { foo: 1 }, 'foo'],
    ['/Auth/logout', { token: 'x' }, 'token'],
    ['/Account/search', { onlyActive: true }, 'onlyActive'],
    ['/Auth/loginKey', { userName: 'a@b.c', apiKey: 'k', password: 'p' }, 'password'],
  ])('answers a field %s does not take (%j) with a 400 naming it', async (path, body, field) => {
    const res = await call(server.url, path, { body });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      status: 400,
      detail: `The field ${field} is not allowed.`,
      errors: { [field]: [`The field ${field} is not allowed.`] },
    });
  });

  it('takes onlyActiveAccounts: null as "not set", as generated models send it: every account', async () => {
    const token = await login(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    const nulled = await call(server.url, '/Account/search', { token, body: { onlyActiveAccounts: null } });
    const absent = await call(server.url, '/Account/search', { token, body: {} });
    const active = await call(server.url, '/Account/search', { token, body: { onlyActiveAccounts: true } });
    expect(nulled.status).toBe(200);
    expect(nulled.json.accounts).toEqual(absent.json.accounts);
    expect(nulled.json.accounts).toHaveLength(DEMO_USER.accounts.length);
    expect(active.json.accounts.length).toBeLessThan(DEMO_USER.accounts.length);
  });

  it.each(['/Auth/loginKey', '/Account/search'])(
    'answers %s without a body with a 400: the spec makes its body required',
    async (path) => {
      for (const headers of [{}, { 'content-type': 'application/json' }] as Record<string, string>[]) {
        const res = await call(server.url, path, { method: 'POST', rawBody: '', headers });
        expect(res.status).toBe(400);
        expect(res.json).toMatchObject({
          detail: 'A non-empty request body is required.',
          errors: { $: ['A non-empty request body is required.'] },
        });
      }
      expect((await call(server.url, path, { method: 'POST' })).status).toBe(400);
    },
  );

  it.each(['/Auth/validate', '/Auth/logout'])(
    'accepts %s without a body, as the vendor’s own example sends none (the body is optional)',
    async (path) => {
      const token = await login(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
      const res = await call(server.url, path, {
        method: 'POST',
        token,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(200);
      expect(res.json.success).toBe(true);
    },
  );

  it('lists every problem, up to ten fields, and says how many there were', async () => {
    const body = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`field${i}`, i]));
    const res = await call(server.url, '/Auth/validate', { body });
    expect(res.status).toBe(400);
    expect(res.json.detail).toBe('The field field0 is not allowed. (and 29 more problems)');
    expect(Object.keys(res.json.errors)).toHaveLength(10);
  });

  it('survives hostile field names: __proto__ is a key like any other, and a long name is cut', async () => {
    const proto = await call(server.url, '/Auth/validate', {
      method: 'POST',
      rawBody: '{"__proto__": {"x": 1}}',
    });
    expect(proto.status).toBe(400);
    expect(Object.keys(proto.json.errors)).toEqual(['__proto__']);
    const long = await call(server.url, '/Auth/validate', { body: { ['k'.repeat(5000)]: 1 } });
    expect(long.status).toBe(400);
    expect(long.text.length).toBeLessThan(1000);
  });

  it('still answers missing or null login fields in-band, as the vendor does (not with a 400)', async () => {
    for (const body of [{}, { userName: DEMO_USER.userName }, { userName: null, apiKey: null }]) {
      const res = await call(server.url, '/Auth/loginKey', { body });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        success: false,
        errorCode: 3,
        errorMessage: 'userName and apiKey are required',
      });
    }
  });

  it('does not enforce the Content-Type: a JSON body sent as text/plain (fetch’s default) is read', async () => {
    const res = await call(server.url, '/Auth/loginKey', {
      method: 'POST',
      rawBody: JSON.stringify({ userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey }),
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
    expect(res.json.success).toBe(true);
  });

  it('does not echo a submitted API key in any error', async () => {
    const res = await call(server.url, '/Auth/loginKey', { body: { userName: 7, apiKey: 'secret-key-123' } });
    expect(res.text).not.toContain('secret-key-123');
    const extra = await call(server.url, '/Auth/loginKey', {
      body: { userName: 'a@b.c', apiKey: 'secret-key-123', key: 'secret-key-123' },
    });
    expect(extra.status).toBe(400);
    expect(extra.text).not.toContain('secret-key-123');
    const wrong = await call(server.url, '/Auth/loginKey', {
      body: { userName: DEMO_USER.userName, apiKey: 'secret-key-123' },
    });
    expect(wrong.text).not.toContain('secret-key-123');
  });
});

describe('routing errors', () => {
  it('answers an unknown path with a 404 problem document', async () => {
    const res = await call(server.url, '/Order/place', { body: {} });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it.each([
    ['GET', '/Auth/loginKey', 'POST, OPTIONS'],
    ['PUT', '/Auth/validate', 'POST, OPTIONS'],
    ['DELETE', '/Account/search', 'POST, OPTIONS'],
    ['POST', '/Status/ping', 'GET, OPTIONS'],
  ])('answers %s %s with a 405 and Allow: %s', async (method, path, allow) => {
    const res = await call(server.url, path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.json).toMatchObject({ status: 405, title: 'Method Not Allowed' });
  });
});

describe('oversized requests', () => {
  it('refuses a body over 1 MB with a 413, without reading it', async () => {
    const res = await call(server.url, '/Auth/loginKey', {
      method: 'POST',
      rawBody: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ status: 413, detail: 'The request body is larger than 1 MB.' });
  });

  it('accepts a body of exactly 1 MB', async () => {
    const padding = 'x'.repeat(1024 * 1024 - 40);
    const body = JSON.stringify({ userName: 'a@b.c', apiKey: padding });
    const res = await call(server.url, '/Auth/loginKey', {
      method: 'POST',
      rawBody: body.padEnd(1024 * 1024),
    });
    expect(res.status).toBe(200);
    expect(res.json.errorCode).toBe(1);
  });

  it('refuses an oversized chunked body (no Content-Length) with a 413 as it streams in', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${server.url}/Auth/loginKey`,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      // The server may close the connection while we are still writing: that is the point.
      req.on('error', (error) => (req.writableEnded ? undefined : reject(error)));
      const chunk = Buffer.alloc(64 * 1024, 'x');
      for (let i = 0; i < 20; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers headers over the size limit with a 431 instead of crashing', async () => {
    const res = await fetch(`${server.url}/Status/ping`, { headers: { 'x-big': 'y'.repeat(64 * 1024) } });
    expect(res.status).toBe(431);
  });
});

describe('garbage Authorization headers', () => {
  it.each([
    'Bearer',
    'Bearer ',
    'Bearer a.b.c',
    'Bearer ....',
    'Bearer x y',
    'bearer',
    'Token abc',
    'Bearer eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln',
    `Bearer ${'A'.repeat(8000)}`,
    'Bearer \u00ff\u00fe',
  ])('answers %j with a 401', async (authorization) => {
    const res = await call(server.url, '/Auth/validate', { body: {}, headers: { authorization } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});

describe('bytes that are not HTTP', () => {
  function rawExchange(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const { port } = server;
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('answers garbage with a 400 and closes the connection', async () => {
    expect(await rawExchange('HELLO THERE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('answers a body cut short by the client closing its side with a 400, not a hang', async () => {
    const answer = await rawExchange(
      'POST /Auth/loginKey HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"userName":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('keeps serving after a client resets the connection halfway through a body', async () => {
    const socket = connect(server.port, '127.0.0.1', () => {
      socket.write('POST /Auth/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{');
    });
    await vi.waitFor(() => expect(server.calls('/Auth/validate')).toBe(1));
    socket.resetAndDestroy();
    expect((await call(server.url, '/Auth/validate', { body: {} })).status).toBe(401);
  });
});
