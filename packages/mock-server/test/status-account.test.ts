import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, DEMO_USER, type MockServer, startMockServer } from '../src/index.js';
import { call, login } from './helpers/api.js';

let server: MockServer;
afterEach(async () => {
  await server?.close();
});

describe('Status/ping', () => {
  it('answers the envelope with success true, without authentication', async () => {
    server = await startMockServer();
    const res = await call(server.url, '/Status/ping');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ success: true, errorCode: 0, errorMessage: null });
  });

  it('ignores a bad bearer, since it needs none', async () => {
    server = await startMockServer();
    const res = await call(server.url, '/Status/ping', { headers: { authorization: 'Bearer junk' } });
    expect(res.json.success).toBe(true);
  });

  it('routes case-insensitively and ignores a query string and a trailing slash', async () => {
    server = await startMockServer();
    expect((await call(server.url, '/status/PING?x=1')).json.success).toBe(true);
    expect((await call(server.url, '/Status/ping/')).json.success).toBe(true);
  });
});

describe('Account/search', () => {
  it('lists all of the demo user’s accounts, including ones that cannot trade', async () => {
    server = await startMockServer();
    const token = await login(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    const res = await call(server.url, '/Account/search', { body: {}, token });
    expect(res.json).toEqual({ success: true, errorCode: 0, errorMessage: null, accounts: DEMO_ACCOUNTS });
    expect(res.json.accounts.some((a: { canTrade: boolean }) => !a.canTrade)).toBe(true);
  });

  it('returns only accounts that can trade with onlyActiveAccounts true', async () => {
    server = await startMockServer();
    const token = await login(server.url, DEMO_USER.userName, DEMO_USER.apiKey);
    const res = await call(server.url, '/Account/search', { body: { onlyActiveAccounts: true }, token });
    expect(res.json.accounts).toEqual(DEMO_ACCOUNTS.filter((a) => a.canTrade));
    expect(res.json.accounts.length).toBeGreaterThan(0);
    const all = await call(server.url, '/Account/search', { body: { onlyActiveAccounts: false }, token });
    expect(all.json.accounts).toHaveLength(DEMO_ACCOUNTS.length);
  });

  it('returns the accounts configured for the user', async () => {
    const accounts = [{ id: 1, name: 'MINE', balance: 12.5, canTrade: true }];
    server = await startMockServer({ users: [{ userName: 'me@example.com', apiKey: 'k', accounts }] });
    const token = await login(server.url, 'me@example.com', 'k');
    expect((await call(server.url, '/Account/search', { body: {}, token })).json.accounts).toEqual(accounts);
  });

  it('keeps its own copy: mutating the given accounts after start changes nothing', async () => {
    const accounts = [{ id: 1, name: 'MINE', balance: 1, canTrade: true }];
    server = await startMockServer({ users: [{ userName: 'me@example.com', apiKey: 'k', accounts }] });
    accounts[0]!.name = 'CHANGED';
    const token = await login(server.url, 'me@example.com', 'k');
    expect((await call(server.url, '/Account/search', { body: {}, token })).json.accounts[0].name).toBe(
      'MINE',
    );
  });

  it('needs a bearer: none, or a non-Bearer scheme, is a 401', async () => {
    server = await startMockServer();
    expect((await call(server.url, '/Account/search', { body: {} })).status).toBe(401);
    const basic = await call(server.url, '/Account/search', {
      body: {},
      headers: { authorization: 'Basic ZGVtbzpkZW1v' },
    });
    expect(basic.status).toBe(401);
  });
});
