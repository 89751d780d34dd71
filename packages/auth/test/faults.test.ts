import { ManualClock } from '@testmax/test-support/manual-clock';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError, RateLimitError, TimeoutError } from '../src/index.js';
import { guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import { closeServersAfterEach, demoSession, mockServer, tokenOf } from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();

const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';

describe('retries: network errors, 408, 429, 5xx', () => {
  it.each([500, 502, 503, 504, 408])(
    'HTTP %i twice, then success: logs in on the third attempt',
    async (status) => {
      const server = await mockServer();
      server.inject('/Auth/loginKey', { status, body: '{"title":"failure"}', times: 2 });
      const { session, logger } = demoSession(server);
      await tokenOf(session);
      expect(server.calls('/Auth/loginKey')).toBe(3);
      expect(logger.lines.filter((l) => l.includes(`POST /Auth/loginKey ${status} attempt=`))).toHaveLength(
        2,
      );
      expect(logger.lines.some((l) => l.includes('POST /Auth/loginKey 200 attempt=3'))).toBe(true);
    },
  );

  it('a persistent 503 ends in ApiError after the bounded retries', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', {
      status: 503,
      body: '{"title":"Service Unavailable","status":503}',
      times: 10,
    });
    const error = (await rejectionOf(demoSession(server).session.authenticate())) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/HTTP 503.*after 3 attempts; the service may be down/);
    expect(server.calls('/Auth/loginKey')).toBe(3);
  });

  it('429 with Retry-After in seconds waits exactly that long, then succeeds', async () => {
    const clock = new ManualClock(undefined, { timers: 'fake' });
    const server = await mockServer();
    server.inject('/Auth/loginKey', {
      status: 429,
      headers: { 'Retry-After': '2' },
      body: '{"title":"Too Many Requests"}',
    });
    const { session } = demoSession(server, { clock, random: () => 0 });
    const pending = tokenOf(session);
    // The only timer left is the wait: the server's 2 s, not the (millisecond) back-off.
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([2000]), { interval: 2 });
    clock.advance(1999);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    clock.advance(1);
    await pending;
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('429 with Retry-After as an HTTP date waits until that date', async () => {
    const clock = new ManualClock(undefined, { timers: 'fake' });
    const server = await mockServer();
    const inThreeSeconds = new Date(clock.now() + 3000).toUTCString();
    server.inject('/Auth/loginKey', { status: 429, headers: { 'Retry-After': inThreeSeconds }, body: '{}' });
    const { session } = demoSession(server, { clock, random: () => 0 });
    const pending = tokenOf(session);
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([3000]), { interval: 2 });
    clock.advance(3000);
    await pending;
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('a 503 with Retry-After waits as told instead of the back-off', async () => {
    const clock = new ManualClock(undefined, { timers: 'fake' });
    const server = await mockServer();
    server.inject('/Account/search', { status: 503, headers: { 'Retry-After': '1' }, body: '{}' });
    const { session } = demoSession(server, { clock, random: () => 0.999 });
    const pending = session.accounts();
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([1000]), { interval: 2 });
    clock.advance(1000);
    expect(await pending).toHaveLength(3);
  });

  it('without Retry-After the waits are full-jitter exponential back-off', async () => {
    const clock = new ManualClock(undefined, { timers: 'fake' });
    const server = await mockServer();
    server.inject('/Auth/loginKey', { status: 503, body: '{}', times: 3 });
    const { session } = demoSession(server, {
      clock,
      random: () => 0.5,
      retry: { retries: 3, minDelayMs: 100, maxDelayMs: 300 },
    });
    const pending = tokenOf(session);
    // Half of min(300, 100·2^(n−1)) for retries 1, 2, 3.
    for (const wait of [50, 100, 150]) {
      await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([wait]), { interval: 2 });
      clock.advance(wait);
    }
    await pending;
    expect(server.calls('/Auth/loginKey')).toBe(4);
  });

  it('a Retry-After longer than allowed fails at once with RateLimitError', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { status: 429, headers: { 'Retry-After': '3600' }, body: '{}' });
    const { session } = demoSession(server, {
      retry: { retries: 3, minDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5000 },
    });
    const error = (await rejectionOf(session.authenticate())) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.retryAfterMs).toBe(3_600_000);
    expect(error.status).toBe(429);
    expect(error.message).toMatch(/rate limiting.*asked to wait 3600 s/);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('a persistent 429 ends in RateLimitError', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { status: 429, headers: { 'Retry-After': '0' }, body: '{}', times: 10 });
    const error = (await rejectionOf(demoSession(server).session.authenticate())) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(3);
  });

  it('a dropped connection is retried', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { drop: true });
    const { session } = demoSession(server);
    await tokenOf(session);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('connections dropped every time end in NetworkError naming the host', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { drop: true, times: 10 });
    const error = await rejectionOf(demoSession(server).session.authenticate());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toContain(new URL(server.url).host);
    expect(error.message).toMatch(/after 3 attempts; check your network/);
    expect(server.calls('/Auth/loginKey')).toBe(3);
  });

  it('a server that is not there is a NetworkError', async () => {
    const server = await mockServer();
    const url = server.url;
    await server.close();
    const { session } = demoSession(server, {
      baseUrl: url,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 },
    });
    const error = await rejectionOf(session.authenticate());
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('an answer slower than timeoutMs is a TimeoutError after the retries', async () => {
    const clock = new ManualClock(undefined, { timers: 'fake' });
    const server = await mockServer();
    server.inject('/Auth/loginKey', { delayMs: 60_000, times: 2 });
    const { session } = demoSession(server, {
      clock,
      random: () => 0,
      timeoutMs: 100,
      retry: { retries: 1, minDelayMs: 1, maxDelayMs: 2 },
    });
    const pending = rejectionOf(session.authenticate());
    for (const attempt of [1, 2]) {
      // Each attempt gets its own timeout, and nothing else is waiting.
      await vi.waitFor(
        () => {
          expect(clock.pendingDelays()).toEqual([100]);
          expect(server.calls('/Auth/loginKey')).toBe(attempt);
        },
        { interval: 2 },
      );
      clock.advance(100);
    }
    const error = (await pending) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.timeoutMs).toBe(100);
    expect(error.message).toMatch(/did not answer POST \/Auth\/loginKey within 100 ms \(2 attempts\)/);
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('one slow answer is retried and the session still logs in', async () => {
    const clock = new ManualClock(undefined, { timers: 'fake' });
    const server = await mockServer();
    server.inject('/Auth/loginKey', { delayMs: 60_000 });
    const { session } = demoSession(server, { clock, random: () => 0, timeoutMs: 200 });
    const pending = tokenOf(session);
    await vi.waitFor(() => expect(clock.pendingDelays()).toEqual([200]), { interval: 2 });
    clock.advance(200);
    await pending;
    expect(server.calls('/Auth/loginKey')).toBe(2);
  });

  it('retry: false makes a single attempt', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { status: 503, body: '{}', times: 3 });
    await rejectionOf(demoSession(server, { retry: false }).session.authenticate());
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });
});

describe('unreadable answers', () => {
  it('malformed JSON on HTTP 200 is an ApiError, not a SyntaxError', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', {
      status: 200,
      body: '{"success": true, "token": "abc',
      contentType: 'application/json',
    });
    const error = (await rejectionOf(demoSession(server).session.authenticate())) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error).not.toBeInstanceOf(SyntaxError);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/a body that is not valid JSON instead of JSON; check that the base URL/);
  });

  it('an empty 200 body is an ApiError', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { status: 200, body: '' });
    const error = await rejectionOf(demoSession(server).session.authenticate());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toContain('an empty body');
  });

  it('an HTML error page from a gateway is an ApiError that says so', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { status: 502, body: HTML_PAGE, contentType: 'text/html', times: 10 });
    const error = (await rejectionOf(demoSession(server).session.authenticate())) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(502);
    expect(error.message).toMatch(/HTTP 502 and an HTML page instead of JSON.*proxy or gateway error/);
    expect(error.message).not.toContain('<html>');
  });

  it('an HTML page with HTTP 200 (a captive portal) is an ApiError', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', { status: 200, body: HTML_PAGE, contentType: 'text/html' });
    const error = await rejectionOf(demoSession(server).session.authenticate());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toContain('an HTML page instead of JSON');
  });

  it('a login success without a token is an ApiError', async () => {
    const server = await mockServer();
    server.inject('/Auth/loginKey', {
      status: 200,
      body: '{"success":true,"errorCode":0,"errorMessage":null}',
    });
    const error = await rejectionOf(demoSession(server).session.authenticate());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toMatch(/sent no token/);
  });

  it('JSON that is not an envelope (an array) is an ApiError', async () => {
    const server = await mockServer();
    server.inject('/Account/search', { status: 200, body: '[1,2,3]' });
    const error = await rejectionOf(demoSession(server).session.accounts());
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toMatch(/not a response envelope/);
  });
});
