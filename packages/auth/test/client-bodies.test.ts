import { describe, expect, it } from 'vitest';
import { ApiError, AuthSession, TestMaxError } from '../src/index.js';
import { guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import { closeServersAfterEach, demoSession, foreignServer, mockServer } from './helpers/server.js';

closeServersAfterEach();
guardUnhandledRejections();

const HTML = '<html><body>Sign in to the hotel Wi-Fi</body></html>';

describe('session.client: a 2xx answer that is not JSON is an ApiError', () => {
  for (const [name, fault] of [
    ['a truncated JSON body', { body: '{"success":true,"accou', contentType: 'application/json' }],
    ['an HTML page (captive portal)', { body: HTML, contentType: 'text/html' }],
    ['an empty body', { body: '' }],
    ['an empty JSON-typed body', { body: '', contentType: 'application/json' }],
  ] as const) {
    it(`${name} rejects with an ApiError naming the request, not a SyntaxError or an empty result`, async () => {
      const server = await mockServer();
      const { session } = demoSession(server);
      await session.authenticate();
      server.inject('/Account/search', { status: 200, ...fault });
      const error = await rejectionOf(session.client.POST('/Account/search', { body: {} }));
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toBeInstanceOf(TestMaxError);
      expect(error).not.toBeInstanceOf(SyntaxError);
      expect((error as ApiError).status).toBe(200);
      expect(error.message).toMatch(
        /^The TestMax API answered POST \/[^ ]*Account\/search with .* instead of JSON;/,
      );
      expect(error.message).not.toContain('<html>');
    });
  }

  it('still returns typed data for a good answer', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    const ok = await session.client.POST('/Account/search', { body: { onlyActiveAccounts: true } });
    expect(ok.error).toBeUndefined();
    expect(ok.data?.success).toBe(true);
    expect(ok.data?.accounts?.length).toBeGreaterThan(0);
  });

  it('a 200 that refuses the token (success false, errorCode 3) logs in again and returns the retried data', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    await session.authenticate();
    server.inject('/Account/search', {
      status: 200,
      body: '{"success":false,"errorCode":3,"errorMessage":"Invalid token"}',
    });
    const logins = server.calls('/Auth/loginKey');
    const { data } = await session.client.POST('/Account/search', { body: {} });
    expect(data?.success).toBe(true);
    expect(server.calls('/Auth/loginKey')).toBe(logins + 1);
  });
});

describe('session.fetch stays a faithful fetch', () => {
  it('an HTML 200 from the TestMax API is handed back as a readable response, not thrown', async () => {
    const server = await mockServer();
    const { session } = demoSession(server);
    server.inject('/Account/search', { status: 200, body: HTML, contentType: 'text/html' });
    const response = await session.fetch('/Account/search', { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toBe(HTML);
  });

  it('outside baseUrl the response is the one fetch returned, untouched and unread', async () => {
    const api = await mockServer();
    const other = await mockServer();
    other.inject('/Account/search', { status: 200, body: HTML, contentType: 'text/html' });
    const { session } = demoSession(api, { fetch: globalThis.fetch });
    const response = await session.fetch(`${other.url}/Account/search`, { method: 'POST', body: '{}' });
    expect(response.bodyUsed).toBe(false);
    expect(response.url).toBe(`${other.url}/Account/search`);
    expect(await response.text()).toBe(HTML);
  });

  it('a binary answer from under baseUrl reaches the caller byte for byte', async () => {
    // Not valid UTF-8: decoding it as text and re-encoding would turn it into U+FFFD.
    const bytes = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0x00, 0x80, 0xc3]);
    const api = await foreignServer({
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const session = new AuthSession({ userName: 'u@example.com', token: 'opaque-token', baseUrl: api.url });
    const response = await session.fetch('/History/export');
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(bytes);
    expect(api.requests[0]?.authorization).toBe('Bearer opaque-token');
  });
});
