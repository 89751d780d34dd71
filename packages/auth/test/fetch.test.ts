import { getEventListeners } from 'node:events';
import { createClient } from '@testmax/client';
import { describe, expect, it } from 'vitest';
import { NetworkError } from '../src/index.js';
import { guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import {
  closeServersAfterEach,
  demoSession,
  FAST_RETRY,
  foreignServer,
  mockServer,
  observingFetch,
  tokenOf,
} from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

const onlyActive = JSON.stringify({ onlyActiveAccounts: true });

describe('session.fetch', () => {
  it('adds the bearer and accepts a relative path, a URL string, a URL object or a Request', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: onlyActive };
    const inputs = [
      () => session.fetch('/Account/search', init),
      () => session.fetch('Account/search', init),
      () => session.fetch(`${server.url}/Account/search`, init),
      () => session.fetch(new URL(`${server.url}/Account/search`), init),
      () => session.fetch(new Request(`${server.url}/Account/search`, init)),
    ];
    for (const call of inputs) {
      const body = (await (await call()).json()) as { success: boolean; accounts: unknown[] };
      expect(body.success).toBe(true);
      expect(body.accounts).toHaveLength(2);
    }
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('re-sends the same body (from init or a Request stream) after a 401', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.revokeAllTokens();
    const fromInit = await session.fetch('/Account/search', { method: 'POST', body: onlyActive });
    expect(((await fromInit.json()) as { accounts: unknown[] }).accounts).toHaveLength(2);
    server.revokeAllTokens();
    const stream = new Blob([onlyActive]).stream();
    const request = new Request(`${server.url}/Account/search`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const fromRequest = await session.fetch(request);
    // An empty body would count as {} and list all three accounts: two proves the body was re-sent.
    expect(((await fromRequest.json()) as { accounts: unknown[] }).accounts).toHaveLength(2);
    expect(server.calls('/Auth/loginKey')).toBe(3);
  });

  it('retries a 503 for any request and returns a final error status as a Response', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    server.inject('/Status/ping', { status: 503, body: '{}' });
    const ok = await session.fetch('/Status/ping');
    expect(ok.status).toBe(200);
    expect(server.calls('/Status/ping')).toBe(2);
    server.inject('/Status/ping', { status: 500, body: '{"title":"boom"}', times: 5 });
    const failed = await session.fetch('/Status/ping');
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ title: 'boom' });
  });

  it('retries a POST only where repeating it is harmless', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    // A read-only TestMax endpoint is retried although POST is not an idempotent method.
    server.inject('/Account/search', { status: 503, body: '{}' });
    expect((await session.fetch('/Account/search', { method: 'POST', body: '{}' })).status).toBe(200);
    expect(server.calls('/Account/search')).toBe(2);
    // Anything else (an order, say) may have been processed: not sent again after a 503 or a reset...
    server.inject('/Order/place', { status: 503, body: '{}', times: 3 });
    expect((await session.fetch('/Order/place', { method: 'POST', body: '{}' })).status).toBe(503);
    expect(server.calls('/Order/place')).toBe(1);
    server.clearFaults();
    server.inject('/Order/place', { drop: true, times: 3 });
    expect(await rejectionOf(session.fetch('/Order/place', { method: 'POST', body: '{}' }))).toBeInstanceOf(
      NetworkError,
    );
    expect(server.calls('/Order/place')).toBe(2);
    // ...but a 429 was refused, not processed, so it is retried (then the simulator's 404 comes back).
    server.clearFaults();
    server.inject('/Order/place', { status: 429, headers: { 'Retry-After': '0' }, body: '{}' });
    expect((await session.fetch('/Order/place', { method: 'POST', body: '{}' })).status).toBe(404);
    expect(server.calls('/Order/place')).toBe(4);
    // retry.methods opts POST in.
    const { session: eager } = demoSession(server, { retry: { ...FAST_RETRY, methods: ['POST'] } });
    server.inject('/Order/place', { status: 503, body: '{}' });
    expect((await eager.fetch('/Order/place', { method: 'POST', body: '{}' })).status).toBe(404);
    expect(server.calls('/Order/place')).toBe(6);
  });

  it('a POST to another host is not repeated after a 5xx either', async () => {
    const server = await mockServer();
    const other = await foreignServer({
      status: 503,
      headers: { 'content-type': 'text/plain' },
      body: 'busy',
    });
    const { session } = demoSession(server);
    expect((await session.fetch(`${other.url}/orders`, { method: 'POST', body: '{}' })).status).toBe(503);
    expect(other.requests).toHaveLength(1);
    // A GET there is, like any idempotent request.
    expect((await session.fetch(`${other.url}/orders`)).status).toBe(503);
    expect(other.requests).toHaveLength(4);
  });

  it('errorCode 1 or 3 from an endpoint where it does not mean "who are you?" is not a refused token', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    // ProjectX's Order/place: errorCode 3 is insufficient funds. Re-sending would place it twice.
    const funds = JSON.stringify({ success: false, errorCode: 3, errorMessage: 'Insufficient funds' });
    server.inject('/Order/place', { status: 200, body: funds, contentType: 'application/json' });
    const response = await session.fetch('/Order/place', { method: 'POST', body: '{}' });
    expect(await response.json()).toMatchObject({ success: false, errorCode: 3 });
    expect(server.calls('/Order/place')).toBe(1);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    // On Account/search the same answer is the body form of a refused token: log in, re-send.
    server.inject('/Account/search', {
      status: 200,
      body: JSON.stringify({ success: false, errorCode: 3, errorMessage: 'Invalid token' }),
      contentType: 'application/json',
    });
    const search = await session.fetch('/Account/search', { method: 'POST', body: '{}' });
    expect(((await search.json()) as { success: boolean }).success).toBe(true);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it("passes the rest of the caller's RequestInit through to fetch", async () => {
    const server = await mockServer();
    const seen: RequestInit[] = [];
    const { session } = demoSession(server, {
      fetch: async (input, init) => {
        seen.push(init ?? {});
        // The stand-in dispatcher is not a real undici one: send without it.
        const { dispatcher: _, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
        return observingFetch(input, rest);
      },
    });
    await tokenOf(session);
    const dispatcher = { name: 'proxy' };
    await session.fetch('/Account/search', {
      method: 'POST',
      body: '{}',
      keepalive: true,
      cache: 'no-store',
      dispatcher,
    } as RequestInit);
    expect(seen.at(-1)).toMatchObject({ keepalive: true, cache: 'no-store', dispatcher, method: 'POST' });
  });

  it('retries any request whose connection was refused: it never reached a server', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    const closed = await mockServer();
    const { session: offline } = demoSession(closed, { token: await tokenOf(session) });
    await closed.close();
    const error = await rejectionOf(offline.fetch('/Order/place', { method: 'POST', body: '{}' }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/ECONNREFUSED.*after 3 attempts/);
  });

  it('rejects with NetworkError when the connection keeps dropping', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Status/ping', { drop: true, times: 5 });
    expect(await rejectionOf(session.fetch('/Status/ping'))).toBeInstanceOf(NetworkError);
  });

  it('never sends the bearer to another origin', async () => {
    const server = await mockServer();
    const other = await foreignServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    const response = await session.fetch(`${other.url}/Account/search`, { method: 'POST', body: '{}' });
    // Its 401 is that host's business: the session neither retried nor logged in again.
    expect(response.status).toBe(401);
    expect(other.requests).toEqual([
      { method: 'POST', path: '/Account/search', authorization: undefined, body: '{}' },
    ]);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it("honours the caller's AbortSignal", async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Status/ping', { delayMs: 500 });
    const controller = new AbortController();
    const pending = session.fetch('/Status/ping', { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await rejectionOf(pending);
    expect(error.name).toBe('AbortError');
    expect(server.calls('/Status/ping')).toBe(1);
  });

  it("one caller's abort does not cancel the shared login", async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    server.inject('/Auth/loginKey', { delayMs: 200 });
    const controller = new AbortController();
    const impatient = session.getSessionToken({ signal: controller.signal });
    const patient = session.getSessionToken();
    controller.abort();
    expect((await rejectionOf(impatient)).name).toBe('AbortError');
    const token = await patient;
    expect(token).toBe(await tokenOf(session));
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('an already aborted signal rejects without a request', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    for (const call of [
      () => session.accounts({ signal: AbortSignal.abort() }),
      () => session.getSessionToken({ signal: AbortSignal.abort() }),
      () => session.authenticate({ signal: AbortSignal.abort() }),
      () => session.fetch('/Account/search', { method: 'POST', signal: AbortSignal.abort() }),
    ]) {
      expect((await rejectionOf(call())).name).toBe('AbortError');
    }
    // Not even the login was sent.
    expect(server.calls()).toBe(0);
    await tokenOf(session);
    expect((await rejectionOf(session.validate({ signal: AbortSignal.abort() }))).name).toBe('AbortError');
    expect(server.calls('/Auth/validate')).toBe(0);
  });
});

describe('session.middleware and session.client', () => {
  it('the middleware authenticates an openapi-fetch client and retries once after a 401', async () => {
    const server = await mockServer({ unauthorizedStyle: 'body' });
    const { session } = demoSession(server);
    const client = createClient({ baseUrl: server.url });
    client.use(session.middleware);
    const first = await client.POST('/Account/search', { body: { onlyActiveAccounts: true } });
    expect(first.data?.accounts).toHaveLength(2);
    server.revokeAllTokens();
    const second = await client.POST('/Account/search', { body: { onlyActiveAccounts: true } });
    expect(second.data?.success).toBe(true);
    expect(second.data?.accounts).toHaveLength(2);
    expect(server.calls('/Auth/loginKey')).toBe(2);
    // Unauthenticated endpoints work through it too.
    expect((await client.GET('/Status/ping')).data?.success).toBe(true);
  });

  it('session.client is a ready, typed, authenticated client', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    expect(session.client).toBe(session.client);
    const { data, response } = await session.client.POST('/Account/search', { body: {} });
    expect(response.status).toBe(200);
    expect(data?.accounts.map((a) => a.id)).toEqual([7001, 7002, 7003]);
    server.revokeAllTokens();
    server.inject('/Account/search', {
      status: 502,
      body: '<html>bad gateway</html>',
      contentType: 'text/html',
    });
    const again = await session.client.POST('/Account/search', { body: { onlyActiveAccounts: true } });
    expect(again.data?.accounts).toHaveLength(2);
  });
});

describe('middleware leaves foreign requests alone', () => {
  it('a POST with a body to another origin goes through untouched, body intact', async () => {
    const server = await mockServer();
    const other = await foreignServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    const client = createClient({ baseUrl: other.url });
    client.use(session.middleware);
    const search = await client.POST('/Account/search', { body: { onlyActiveAccounts: true } });
    expect(search.response.status).toBe(401);
    await client.POST('/Auth/loginKey', { body: { userName: 'nobody@x.com', apiKey: 'whatever-key' } });
    expect(other.requests).toEqual([
      {
        method: 'POST',
        path: '/Account/search',
        authorization: undefined,
        body: '{"onlyActiveAccounts":true}',
      },
      {
        method: 'POST',
        path: '/Auth/loginKey',
        authorization: undefined,
        body: '{"userName":"nobody@x.com","apiKey":"whatever-key"}',
      },
    ]);
    // The session's own server saw only its login: no re-login for the foreign 401.
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });
});

describe('one long-lived AbortSignal shared by many requests', () => {
  it('keeps no listener on it once the requests are done', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    const shutdown = new AbortController();
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 30 }, () =>
          session.fetch('/Status/ping', { signal: shutdown.signal }).then((r) => r.text()),
        ),
      );
      await session.accounts({ signal: shutdown.signal });
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
  });
});
