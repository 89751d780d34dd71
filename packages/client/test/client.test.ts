import { readFileSync } from 'node:fs';
import { DEMO_USER, type MockServer, type MockServerOptions, startMockServer } from '@testmax/mock-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, DEFAULT_BASE_URL, type TestMaxClient } from '../src/index.js';

const credentials = { userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey };

let server: MockServer;
afterEach(async () => {
  await server?.close();
});

async function setup(options: MockServerOptions = {}): Promise<TestMaxClient> {
  server = await startMockServer(options);
  return createClient({ baseUrl: server.url });
}

async function loginToken(client: TestMaxClient): Promise<string> {
  const { data } = await client.POST('/Auth/loginKey', { body: credentials });
  if (!data?.token) throw new Error('login failed');
  return data.token;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('createClient against the simulator', () => {
  it('GET /Status/ping', async () => {
    const client = await setup();
    const { data, error, response } = await client.GET('/Status/ping');
    expect(response.status).toBe(200);
    expect(error).toBeUndefined();
    expect(data).toEqual({ success: true, errorCode: 0, errorMessage: null });
  });

  it('POST /Auth/loginKey returns a JWT', async () => {
    const client = await setup();
    const { data } = await client.POST('/Auth/loginKey', { body: credentials });
    expect(data).toMatchObject({ success: true, errorCode: 0, errorMessage: null });
    expect(data?.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it.each([
    ['an unknown user', { userName: 'nobody@testmax.local', apiKey: 'x' }, 1, 'Invalid credentials'],
    ['a wrong key', { userName: DEMO_USER.userName, apiKey: 'wrong' }, 3, 'Invalid credentials'],
    ['empty fields', { userName: '', apiKey: '' }, 3, 'userName and apiKey are required'],
  ])(
    'POST /Auth/loginKey with %s: HTTP 200, success false, in `data`',
    async (_name, body, errorCode, message) => {
      const client = await setup();
      const { data, error, response } = await client.POST('/Auth/loginKey', { body });
      expect(response.status).toBe(200);
      expect(error).toBeUndefined();
      expect(data).toEqual({ success: false, errorCode, errorMessage: message, token: null });
    },
  );

  it('POST /Auth/loginKey for a user without a subscription: errorCode 9', async () => {
    const client = await setup({
      users: [{ userName: 'free@testmax.local', apiKey: 'k', subscribed: false }],
    });
    const { data } = await client.POST('/Auth/loginKey', {
      body: { userName: 'free@testmax.local', apiKey: 'k' },
    });
    expect(data).toMatchObject({ success: false, errorCode: 9, token: null });
  });

  it('POST /Auth/validate with a bearer in per-request headers returns the same token', async () => {
    const client = await setup();
    const token = await loginToken(client);
    const { data } = await client.POST('/Auth/validate', { body: {}, headers: bearer(token) });
    expect(data).toEqual({ success: true, errorCode: 0, errorMessage: null, token });
  });

  it('POST /Auth/validate and /Auth/logout without a body (it is optional), but not with an unknown field', async () => {
    const client = await setup();
    const token = await loginToken(client);
    const validate = await client.POST('/Auth/validate', { headers: bearer(token) });
    expect(validate.data).toEqual({ success: true, errorCode: 0, errorMessage: null, token });
    const typo = await client.POST('/Auth/logout', { body: { token } as never, headers: bearer(token) });
    expect(typo.response.status).toBe(400);
    expect(typo.error).toMatchObject({ status: 400, detail: 'The field token is not allowed.' });
    const logout = await client.POST('/Auth/logout', { headers: bearer(token) });
    expect(logout.data?.success).toBe(true);
  });

  it('POST /Auth/validate in the ProjectX shape carries newToken', async () => {
    const client = await setup({ validateTokenField: 'newToken' });
    const token = await loginToken(client);
    const { data } = await client.POST('/Auth/validate', { body: {}, headers: bearer(token) });
    expect(data?.newToken).toBe(token);
    expect(data?.token).toBeUndefined();
  });

  it('POST /Account/search with a bearer set once in createClient({ headers })', async () => {
    server = await startMockServer();
    const token = await loginToken(createClient({ baseUrl: server.url }));
    const client = createClient({ baseUrl: server.url, headers: bearer(token) });
    const all = await client.POST('/Account/search', { body: {} });
    expect(all.data?.accounts.map((account) => account.name)).toEqual(DEMO_USER.accounts.map((a) => a.name));
    const active = await client.POST('/Account/search', { body: { onlyActiveAccounts: true } });
    expect(active.data?.accounts.length).toBeGreaterThan(0);
    expect(active.data?.accounts.every((account) => account.canTrade)).toBe(true);
    expect(active.data?.accounts.length).toBeLessThan(all.data?.accounts.length ?? 0);
  });

  it('POST /Auth/logout ends the session: the same bearer then gets a 401 with no data', async () => {
    const client = await setup();
    const token = await loginToken(client);
    const logout = await client.POST('/Auth/logout', { body: {}, headers: bearer(token) });
    expect(logout.data).toEqual({ success: true, errorCode: 0, errorMessage: null });
    const after = await client.POST('/Account/search', { body: {}, headers: bearer(token) });
    expect(after.response.status).toBe(401);
    expect(after.data).toBeUndefined();
    expect(after.error).toBeUndefined();
    expect(after.response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('surfaces the body form of a rejected token as data with success false', async () => {
    const client = await setup({ unauthorizedStyle: 'body' });
    const validate = await client.POST('/Auth/validate', { body: {}, headers: bearer('expired') });
    expect(validate.data).toEqual({
      success: false,
      errorCode: 3,
      errorMessage: 'Token is missing, expired or invalid',
      token: null,
    });
    const search = await client.POST('/Account/search', { body: {}, headers: bearer('expired') });
    expect(search.data).toMatchObject({ success: false, errorCode: 3, accounts: [] });
  });

  it('returns a protocol error as `error`, the parsed problem document', async () => {
    const client = await setup();
    // A caller that bypasses the types (plain JS) sending a wrongly typed field.
    const { data, error, response } = await client.POST('/Account/search', {
      body: { onlyActiveAccounts: 'yes' } as never,
      headers: bearer('x'),
    });
    expect(response.status).toBe(400);
    expect(data).toBeUndefined();
    expect(error).toMatchObject({
      status: 400,
      detail: 'The field onlyActiveAccounts must be a boolean or null.',
    });
  });

  it('exposes a 429 and its Retry-After header on the response', async () => {
    const client = await setup();
    server.inject('/Status/ping', { status: 429, headers: { 'Retry-After': '3' } });
    const { error, response } = await client.GET('/Status/ping');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(error).toMatchObject({ status: 429 });
  });

  it('uses a custom fetch for every request', async () => {
    server = await startMockServer();
    const seen: string[] = [];
    const client = createClient({
      baseUrl: server.url,
      fetch: (input: Request) => {
        seen.push(`${input.method} ${new URL(input.url).pathname} ${input.headers.get('x-trace') ?? '-'}`);
        return globalThis.fetch(input);
      },
      headers: { 'x-trace': 'abc' },
    });
    await client.GET('/Status/ping');
    await client.POST('/Auth/loginKey', { body: credentials });
    expect(seen).toEqual(['GET /Status/ping abc', 'POST /Auth/loginKey abc']);
    expect(server.calls()).toBe(2);
  });

  it('tolerates a trailing slash on baseUrl', async () => {
    server = await startMockServer();
    const client = createClient({ baseUrl: `${server.url}///` });
    expect((await client.GET('/Status/ping')).data?.success).toBe(true);
    expect(server.calls('/Status/ping')).toBe(1);
  });
});

describe('DEFAULT_BASE_URL', () => {
  it('is the production server the spec names', () => {
    const spec = JSON.parse(
      readFileSync(new URL('../../../spec/dist/openapi.json', import.meta.url), 'utf8'),
    );
    expect(DEFAULT_BASE_URL).toBe(spec.servers[0].url);
  });

  it('is used when no baseUrl is given', async () => {
    const urls: string[] = [];
    const client = createClient({
      fetch: async (input: Request) => {
        urls.push(input.url);
        return Response.json({ success: true, errorCode: 0, errorMessage: null });
      },
    });
    await client.GET('/Status/ping');
    expect(urls).toEqual([`${DEFAULT_BASE_URL}/Status/ping`]);
  });
});
