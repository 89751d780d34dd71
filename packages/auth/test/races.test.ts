import { createClient } from '@testmax/client';
import { ManualClock } from '@testmax/test-support/manual-clock';
import { describe, expect, it, vi } from 'vitest';
import { AuthenticationError } from '../src/index.js';
import { guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import { closeServersAfterEach, demoSession, mockServer, observingFetch, tokenOf } from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

/**
 * logout() must win over every call still in flight: the token it revokes makes those calls
 * fail with a 401, and answering that 401 with a fresh login would leave a live token behind
 * that nobody will ever log out (after `await using`, at shutdown).
 */
describe('logout() while authenticated calls are in flight', () => {
  it('accounts() in flight fails as logged out and does not log in again', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Account/search', { delayMs: 150 });
    const pending = session.accounts();
    await vi.waitFor(() => expect(server.calls('/Account/search')).toBe(1), { interval: 2 });
    await session.logout();
    const error = await rejectionOf(pending);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/logged out while the request was waiting/);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(session.isAuthenticated).toBe(false);
  });

  it('session.fetch in flight hands back the 401 instead of logging in again', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    server.inject('/Account/search', { delayMs: 150 });
    const pending = session.fetch('/Account/search', { method: 'POST', body: '{}' });
    await vi.waitFor(() => expect(server.calls('/Account/search')).toBe(1), { interval: 2 });
    await session.logout();
    expect((await pending).status).toBe(401);
    expect(server.calls('/Account/search')).toBe(1);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(session.isAuthenticated).toBe(false);
  });

  it('a call waiting for the first login when logout comes does not start another', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    server.inject('/Auth/loginKey', { delayMs: 150 });
    const pending = session.fetch('/Account/search', { method: 'POST', body: '{}' });
    await vi.waitFor(() => expect(server.calls('/Auth/loginKey')).toBe(1), { interval: 2 });
    await session.logout();
    expect((await rejectionOf(pending)).message).toMatch(/logged out/);
    expect(server.calls('/Account/search')).toBe(0);
    // Only the voided login (revoked at once, best effort): no second one.
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(session.isAuthenticated).toBe(false);
  });

  it('a middleware request in flight passes its 401 through', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const client = createClient({ baseUrl: server.url });
    client.use(session.middleware);
    await tokenOf(session);
    server.inject('/Account/search', { delayMs: 150 });
    const pending = client.POST('/Account/search', { body: {} });
    await vi.waitFor(() => expect(server.calls('/Account/search')).toBe(1), { interval: 2 });
    await session.logout();
    expect((await pending).response.status).toBe(401);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('a call made in the same tick as logout() counts as before it, whatever the entry point', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const client = createClient({ baseUrl: server.url });
    client.use(session.middleware);
    await tokenOf(session);
    const calls = [
      session.fetch('/Account/search', { method: 'POST', body: '{}' }),
      session.client.POST('/Account/search', { body: {} }),
      client.POST('/Account/search', { body: {} }),
      session.accounts(),
    ];
    const settled = Promise.allSettled(calls);
    await session.logout();
    const outcomes = await settled;
    // None of them logged in again to finish: each was sent with the old token before the
    // logout reached the server (200), came back refused (401), or failed as logged out.
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(session.isAuthenticated).toBe(false);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/logged out/);
      else if (Array.isArray(outcome.value)) expect(outcome.value).toHaveLength(3);
      else {
        const value = outcome.value as Response | { response: Response };
        expect([200, 401]).toContain(value instanceof Response ? value.status : value.response.status);
      }
    }
  });

  it('a caller arriving after the logout logs in afresh as usual', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await tokenOf(session);
    await session.logout();
    expect(await session.accounts()).toHaveLength(3);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('a token renewed by a refresh that lost to logout is revoked, not left valid', async () => {
    const clock = new ManualClock();
    const server = await mockServer({ now: clock.now, tokenLifetimeSec: 1000 });
    const renewed: string[] = [];
    const { session, logger } = demoSession(server, {
      clock,
      // Notes the token validate hands out, to check it is dead afterwards.
      fetch: async (input, init) => {
        const response = await observingFetch(input, init);
        if (String(input).endsWith('/Auth/validate')) {
          const body = (await response.clone().json()) as { token?: string };
          if (body.token) renewed.push(body.token);
        }
        return response;
      },
    });
    await tokenOf(session);
    // validate answers while logout's own request is still on its way.
    server.inject('/Auth/validate', { delayMs: 100 });
    server.inject('/Auth/logout', { delayMs: 400 });
    clock.advance(800_000);
    await tokenOf(session); // starts the background refresh
    await session.logout();
    expect(logger.lines.some((l) => l.includes('refresh: discarded'))).toBe(true);
    expect(renewed).toHaveLength(1);
    await vi.waitFor(() => expect(server.calls('/Auth/logout')).toBe(2), { interval: 2 });
    const check = await fetch(`${server.url}/Auth/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${renewed[0]}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(check.status).toBe(401);
  });
});

describe('accountInfo', () => {
  it('concurrent readers share one Account/search', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const accounts = await Promise.all(Array.from({ length: 20 }, () => session.accountInfo));
    expect(new Set(accounts.map((a) => a.id))).toEqual(new Set([7001]));
    expect(server.calls('/Account/search')).toBe(1);
    expect((await session.accountInfo).id).toBe(7001);
    expect(server.calls('/Account/search')).toBe(1);
  });

  it('a failed lookup is not remembered', async () => {
    const server = await mockServer();
    const { session } = demoSession(server, { retry: false });
    await tokenOf(session);
    server.inject('/Account/search', { status: 500, body: '{"title":"boom","status":500}' });
    await rejectionOf(session.accountInfo);
    expect((await session.accountInfo).id).toBe(7001);
    expect(server.calls('/Account/search')).toBe(2);
  });
});
