import type { IncomingHttpHeaders } from 'node:http';
import { HostileServer, redirect } from '@testmax/test-support/hostile-server';
import { describe, expect, it } from 'vitest';
import { createPublicFetch, NetworkError, TestMaxError } from '../src/index.js';
import { closeServersAfterEach, FAST_RETRY, mockServer } from './helpers/server.js';

closeServersAfterEach();

describe('createPublicFetch: the endpoints that need no token', () => {
  it('resolves a relative path against the base URL and returns the answer', async () => {
    const server = await mockServer();
    const fetch = createPublicFetch({ baseUrl: server.url, logger: false });
    const response = await fetch('/Status/ping');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true, errorCode: 0, errorMessage: null });
    expect(server.calls('/Auth/loginKey')).toBe(0);
  });

  it('retries what is safe to repeat, and never an unknown POST that may have been processed', async () => {
    const server = await mockServer();
    const fetch = createPublicFetch({ baseUrl: server.url, logger: false, retry: FAST_RETRY });
    server.inject('/Status/ping', { status: 503, times: 2 });
    expect((await fetch('/Status/ping')).status).toBe(200);
    expect(server.calls('/Status/ping')).toBe(3);

    server.inject('/Order/place', { drop: true, times: 5 });
    const error = await fetch('/Order/place', { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(server.calls('/Order/place')).toBe(1);
  });

  it('sends no credential of its own, and refuses a redirect that leaves the API', async () => {
    let seen: IncomingHttpHeaders | undefined;
    const target = await HostileServer.start();
    target.otherwise((request, response) => {
      seen = request.headers;
      response.end('{}');
    });
    const api = await HostileServer.start();
    api.on('/api/Status/ping', (request, response) => {
      seen = request.headers;
      response.end('{"success":true}');
    });
    api.otherwise(redirect(`${target.url}/elsewhere`, 302));
    const baseUrl = `${api.url}/api`;
    try {
      const fetch = createPublicFetch({ baseUrl, logger: false, retry: false });
      expect((await fetch('/Status/ping')).status).toBe(200);
      expect(seen?.authorization).toBeUndefined();
      seen = undefined;
      const error = await fetch('/Moved/away').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TestMaxError);
      expect(seen).toBeUndefined();
    } finally {
      await api.close();
      await target.close();
    }
  });
});
