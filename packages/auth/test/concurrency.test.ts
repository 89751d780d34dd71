import { createClient } from '@testmax/client';
import { describe, expect, it } from 'vitest';
import { guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import { closeServersAfterEach, demoSession, mockServer, tokenOf } from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

describe('single-flight', () => {
  it('1,000 concurrent getSessionToken() calls on a cold session cause exactly one login', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => session.getSessionToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    await tokenOf(session);
  });

  it('a failed login is not cached: all waiting callers see it, the next call tries again', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { status: 503, body: '{}', times: 3 });
    const { session } = demoSession(server);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => session.getSessionToken()));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(server.calls('/Auth/loginKey')).toBe(3);
    await tokenOf(session);
    expect(server.calls('/Auth/loginKey')).toBe(4);
  });

  it.each(['status', 'body'] as const)(
    '100 parallel calls that all get a 401 (%s form) cause exactly one re-login',
    async (unauthorizedStyle) => {
      const server = await mockServer({ unauthorizedStyle });
      // 202 requests in a moment: more than the gateway's 200 a minute, which the default
      // rate limit would rightly spread over a minute.
      const { session } = demoSession(server, { rateLimit: false });
      const before = await tokenOf(session);
      server.revokeAllTokens();
      server.resetCalls();
      const lists = await Promise.all(Array.from({ length: 100 }, () => session.accounts()));
      expect(lists.every((list) => list.length === 3)).toBe(true);
      expect(server.calls('/Auth/loginKey')).toBe(1);
      expect(server.calls('/Account/search')).toBe(200);
      expect(await tokenOf(session)).not.toBe(before);
    },
  );

  it.each(['status', 'body'] as const)(
    '100 parallel session.fetch requests that all get a 401 (%s form) cause one re-login',
    async (unauthorizedStyle) => {
      const server = await mockServer({ unauthorizedStyle });
      // 202 requests in a moment: see above.
      const { session } = demoSession(server, { rateLimit: false });
      await tokenOf(session);
      server.revokeAllTokens();
      server.resetCalls();
      const responses = await Promise.all(
        Array.from({ length: 100 }, () =>
          session.fetch('/Account/search', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ onlyActiveAccounts: true }),
          }),
        ),
      );
      const bodies = await Promise.all(
        responses.map((r) => r.json() as Promise<{ success: boolean; accounts: unknown[] }>),
      );
      expect(bodies.every((b) => b.success && b.accounts.length === 2)).toBe(true);
      expect(server.calls('/Auth/loginKey')).toBe(1);
    },
  );

  it('100 parallel calls through an openapi-fetch client with the middleware cause one re-login', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const client = createClient({ baseUrl: server.url });
    client.use(session.middleware);
    await tokenOf(session);
    server.revokeAllTokens();
    server.resetCalls();
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        client.POST('/Account/search', { body: { onlyActiveAccounts: true } }),
      ),
    );
    expect(results.every((r) => r.data?.success === true && r.data.accounts.length === 2)).toBe(true);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('a call whose retry is refused again fails instead of looping', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Account/search', { status: 401, body: '', times: 10 });
    const error = await rejectionOf(session.accounts());
    expect(error.name).toBe('TokenExpiredError');
    expect(server.calls('/Account/search')).toBe(2);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('session.fetch returns the second 401 as is, after exactly one re-login', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Account/search', { status: 401, body: '', times: 10 });
    const response = await session.fetch('/Account/search', { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(server.calls('/Account/search')).toBe(2);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });
});
