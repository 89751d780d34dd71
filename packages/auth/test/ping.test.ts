import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, ping } from '../src/index.js';
import { addSecret, guardUnhandledRejections, rejectionOf } from './helpers/capture.js';
import { closeServersAfterEach, FAST_RETRY, mockServer } from './helpers/server.js';

guardUnhandledRejections();
closeServersAfterEach();
addSecret('no-secret-in-ping');

describe('ping() — no credentials needed', () => {
  it('answers when the service is up, without logging in', async () => {
    const server = await mockServer();
    const result = await ping({ baseUrl: server.url, retry: FAST_RETRY });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(server.calls('/Status/ping')).toBe(1);
    expect(server.calls('/Auth/loginKey')).toBe(0);
  });

  it('retries a 503 and succeeds', async () => {
    const server = await mockServer();
    server.inject('/Status/ping', { status: 503, body: '{}' });
    await ping({ baseUrl: server.url, retry: FAST_RETRY });
    expect(server.calls('/Status/ping')).toBe(2);
  });

  it('an HTML page, a success:false and a dead connection are clear errors', async () => {
    const server = await mockServer();
    server.inject('/Status/ping', {
      status: 502,
      body: '<html>x</html>',
      contentType: 'text/html',
      times: 3,
    });
    const html = await rejectionOf(ping({ baseUrl: server.url, retry: FAST_RETRY }));
    expect(html).toBeInstanceOf(ApiError);
    expect(html.message).toContain('GET /Status/ping with HTTP 502 and an HTML page');
    server.inject('/Status/ping', {
      status: 200,
      body: '{"success":false,"errorCode":99,"errorMessage":"down"}',
    });
    expect((await rejectionOf(ping({ baseUrl: server.url, retry: FAST_RETRY }))).message).toContain(
      'error 99: down',
    );
    server.inject('/Status/ping', { drop: true, times: 3 });
    expect(await rejectionOf(ping({ baseUrl: server.url, retry: FAST_RETRY }))).toBeInstanceOf(NetworkError);
  });
});
