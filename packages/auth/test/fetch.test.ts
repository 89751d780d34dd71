import { getEventListeners } from 'node:events';
import { createClient } from '@testmax/client';
import { describe, expect, it } from 'vitest';
import { NetworkError } from '../src/index.js';
import { guardSecrets, guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import { closeServersAfterEach, demoSession, mockServer, tokenOf } from './helpers/server.js';

guardSecrets();
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

  it('does not retry methods left out of retry.methods', async () => {
    const server = await mockServer();
    const { session } = demoSession(server, {
      retry: { retries: 2, minDelayMs: 1, maxDelayMs: 2, methods: ['GET'] },
    });
    server.inject('/Account/search', { status: 503, body: '{}', times: 3 });
    const response = await session.fetch('/Account/search', { method: 'POST', body: '{}' });
    expect(response.status).toBe(503);
    expect(server.calls('/Account/search')).toBe(1);
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
    const other = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    const response = await session.fetch(`${other.url}/Account/search`, { method: 'POST', body: '{}' });
    // The other server saw no token, so it refuses; the session neither retried nor re-logged in.
    expect(response.status).toBe(401);
    expect(other.calls('/Account/search')).toBe(1);
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
    const error = await rejectionOf(session.accounts({ signal: AbortSignal.abort() }));
    expect(error.name).toBe('AbortError');
    expect(server.calls('/Account/search')).toBe(0);
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
    const other = await mockServer();
    const { session } = demoSession(server);
    const client = createClient({ baseUrl: other.url });
    client.use(session.middleware);
    // No bearer reaches the other server (it answers 401); the login endpoint still gets its body.
    const search = await client.POST('/Account/search', { body: { onlyActiveAccounts: true } });
    expect(search.response.status).toBe(401);
    const login = await client.POST('/Auth/loginKey', {
      body: { userName: 'nobody@x.com', apiKey: 'whatever-key' },
    });
    expect(login.data?.errorCode).toBe(1);
    expect(server.calls()).toBe(0);
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
