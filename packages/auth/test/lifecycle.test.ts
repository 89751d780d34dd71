import { ManualClock } from '@testmax/test-support/manual-clock';
import { describe, expect, it, vi } from 'vitest';
import { NetworkError } from '../src/index.js';
import { guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import { closeServersAfterEach, demoSession, mockServer, tokenOf } from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

/** The session and the server share one fake clock, so a day passes in a line. */
async function setup(
  options: {
    lifetimeSec?: number;
    refreshWindowSec?: number;
    refreshAt?: number;
    unauthorizedStyle?: 'status' | 'body';
  } = {},
) {
  const clock = new ManualClock();
  const start = clock.now();
  const server = await mockServer({
    now: clock.now,
    tokenLifetimeSec: options.lifetimeSec ?? 1000,
    ...(options.refreshWindowSec === undefined ? {} : { refreshWindowSec: options.refreshWindowSec }),
    ...(options.unauthorizedStyle ? { unauthorizedStyle: options.unauthorizedStyle } : {}),
  });
  const { session, logger } = demoSession(server, {
    clock,
    ...(options.refreshAt === undefined ? {} : { refreshAt: options.refreshAt }),
  });
  const count = (text: string) => logger.lines.filter((l) => l.includes(text)).length;
  const waitForLog = (text: string, times = 1) =>
    vi.waitFor(() => expect(count(text)).toBeGreaterThanOrEqual(times), { timeout: 5000, interval: 2 });
  /** Move the shared clock to `ms` after the first login. */
  const at = (ms: number) => clock.set(start + ms);
  return { clock, start, server, session, logger, count, waitForLog, at };
}

describe.each([5, 1000, 86_400])('a token that lives %i s', (lifetimeSec) => {
  const L = lifetimeSec * 1000;
  const margin = Math.min(0.05 * L, 60_000);

  it('is refreshed in the background from 80 % of its life, not a millisecond before', async () => {
    const { start, server, session, count, waitForLog, at } = await setup({ lifetimeSec });
    const first = await tokenOf(session);

    at(0.8 * L - 1);
    expect(await tokenOf(session)).toBe(first);
    expect(count('refresh: started')).toBe(0);

    at(0.8 * L);
    // Handed out at once: the caller does not wait for the refresh it triggered.
    expect(await tokenOf(session)).toBe(first);
    expect(count('refresh: started')).toBe(1);
    await waitForLog('refresh: renewed');
    const second = await tokenOf(session);
    expect(second).not.toBe(first);
    expect(server.calls('/Auth/validate')).toBe(1);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    // The new token's life starts at its receipt.
    expect(session.expiresAt?.getTime()).toBe(start + 0.8 * L + L);
  });

  it('is replaced by a blocking login at expiry minus the safety margin', async () => {
    // refreshAt 1: no background refresh, so only the hard expiry acts.
    const { server, session, count, at } = await setup({ lifetimeSec, refreshAt: 1 });
    const first = await tokenOf(session);
    at(L - margin - 1);
    expect(await tokenOf(session)).toBe(first);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    at(L - margin);
    const second = await tokenOf(session);
    expect(second).not.toBe(first);
    expect(server.calls('/Auth/loginKey')).toBe(2);
    expect(count('refresh: started')).toBe(0);
  });
});

describe('refresh edge cases (1000 s tokens)', () => {
  it('honours a custom refreshAt', async () => {
    const { session, count, at } = await setup({ refreshAt: 0.5 });
    await tokenOf(session);
    at(499_999);
    await tokenOf(session);
    expect(count('refresh: started')).toBe(0);
    at(500_000);
    await tokenOf(session);
    expect(count('refresh: started')).toBe(1);
  });

  it('backs off when validate returns the same token instead of asking on every call', async () => {
    // refreshWindowSec 0: the server never renews early.
    const { server, session, count, waitForLog, at } = await setup({ refreshWindowSec: 0 });
    const token = await tokenOf(session);
    at(800_000);
    await tokenOf(session);
    await waitForLog('refresh: same token back, next check in 50000ms');
    for (let i = 0; i < 20; i++) expect(await tokenOf(session)).toBe(token);
    at(849_999);
    await tokenOf(session);
    expect(count('refresh: started')).toBe(1);
    expect(server.calls('/Auth/validate')).toBe(1);
    at(850_000);
    expect(await tokenOf(session)).toBe(token);
    await waitForLog('refresh: same token back', 2);
    expect(server.calls('/Auth/validate')).toBe(2);
  });

  it('keeps serving the old token when the refresh fails, and tries again after the back-off', async () => {
    const { server, session, count, waitForLog, at } = await setup();
    const token = await tokenOf(session);
    server.inject('/Auth/validate', { status: 503, body: '{"title":"Service Unavailable"}', times: 3 });
    at(800_000);
    expect(await tokenOf(session)).toBe(token);
    await waitForLog('warn background token refresh failed');
    expect(server.calls('/Auth/validate')).toBe(3);
    // The old token still works for real calls.
    expect(await session.accounts()).toHaveLength(3);
    expect(await tokenOf(session)).toBe(token);
    at(849_999);
    await tokenOf(session);
    expect(count('refresh: started')).toBe(1);
    at(850_000);
    await tokenOf(session);
    await waitForLog('refresh: renewed');
    expect(await tokenOf(session)).not.toBe(token);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('logs in again on the next call when the refresh finds the token revoked', async () => {
    const { server, session, waitForLog, at } = await setup();
    const token = await tokenOf(session);
    server.revokeAllTokens();
    at(800_000);
    expect(await tokenOf(session)).toBe(token);
    await waitForLog('refresh: the server refused the token');
    expect(await tokenOf(session)).not.toBe(token);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('logout wins over a refresh in flight: the late answer is discarded', async () => {
    const { server, session, waitForLog, at } = await setup();
    await tokenOf(session);
    server.inject('/Auth/validate', { delayMs: 300 });
    at(800_000);
    await tokenOf(session);
    await session.logout();
    expect(session.isAuthenticated).toBe(false);
    await waitForLog('refresh: discarded');
    expect(session.expiresAt).toBeUndefined();
    expect(session.isAuthenticated).toBe(false);
    await tokenOf(session);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('logout wins even when its request fails and the refresh brings back a brand-new token', async () => {
    const { server, session, waitForLog, at } = await setup();
    await tokenOf(session);
    // validate answers late with a renewed token; logout never reaches the server.
    server.inject('/Auth/validate', { delayMs: 300 });
    server.inject('/Auth/logout', { drop: true, times: 5 });
    at(800_000);
    await tokenOf(session);
    expect(await rejectionOf(session.logout())).toBeInstanceOf(NetworkError);
    await waitForLog('refresh: discarded');
    expect(server.calls('/Auth/validate')).toBe(1);
    expect(session.isAuthenticated).toBe(false);
    expect(session.expiresAt).toBeUndefined();
    await tokenOf(session);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('a login in flight when logout is called does not install its token', async () => {
    const { server, session } = await setup();
    server.inject('/Auth/loginKey', { delayMs: 200 });
    const pending = session.getSessionToken();
    await session.logout();
    const error = await rejectionOf(pending);
    expect(error.message).toMatch(/logged out while the request was waiting/);
    expect(session.isAuthenticated).toBe(false);
    // The orphaned token is revoked, best effort.
    await vi.waitFor(() => expect(server.calls('/Auth/logout')).toBe(1), { timeout: 5000, interval: 2 });
  });
});

describe('after a logout', () => {
  it('a caller arriving after logout gets a fresh login, not the voided one', async () => {
    const { server, session } = await setup();
    server.inject('/Auth/loginKey', { delayMs: 200 });
    const before = session.getSessionToken();
    await session.logout();
    const after = await tokenOf(session);
    expect(after.split('.')).toHaveLength(3);
    expect((await rejectionOf(before)).message).toMatch(/logged out/);
    expect(server.calls('/Auth/loginKey')).toBe(2);
    expect(session.isAuthenticated).toBe(true);
  });

  it('validate() past the hard expiry logs in first instead of asking about a dead token', async () => {
    const { server, session, at } = await setup({ refreshAt: 1 });
    const first = await tokenOf(session);
    at(960_000);
    const result = await session.validate();
    expect(result.renewed).toBe(false);
    expect(await tokenOf(session)).not.toBe(first);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });
});
