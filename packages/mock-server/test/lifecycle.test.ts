import { Agent, request } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { type MockServer, startMockServer } from '../src/index.js';
import { call } from './helpers/api.js';

describe('startMockServer', () => {
  it('listens on 127.0.0.1 and a free port by default, with a URL that has no trailing slash', async () => {
    await using server = await startMockServer();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('runs several independent servers side by side', async () => {
    await using a = await startMockServer();
    await using b = await startMockServer({ users: [{ userName: 'b@testmax.local', apiKey: 'b' }] });
    expect(a.port).not.toBe(b.port);
    const res = await call(a.url, '/Auth/loginKey', { body: { userName: 'b@testmax.local', apiKey: 'b' } });
    expect(res.json.errorCode).toBe(1);
  });

  it('binds IPv6 loopback and brackets the host in the URL', async () => {
    let server: MockServer;
    try {
      server = await startMockServer({ host: '::1' });
    } catch (error) {
      // Containers without IPv6 cannot bind ::1; there is nothing to check there.
      expect((error as NodeJS.ErrnoException).code).toMatch(/EADDRNOTAVAIL|EAFNOSUPPORT/);
      return;
    }
    await using _ = server;
    expect(server.url).toBe(`http://[::1]:${server.port}`);
    expect((await call(server.url, '/Status/ping')).json.success).toBe(true);
  });

  it('rejects when the port is taken', async () => {
    await using first = await startMockServer();
    await expect(startMockServer({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it.each([
    [{ tokenLifetimeSec: 0 }, /tokenLifetimeSec/],
    [{ tokenLifetimeSec: Number.NaN }, /tokenLifetimeSec/],
    [{ refreshWindowSec: -1 }, /refreshWindowSec/],
    [{ refreshWindow: -1 }, /refreshWindowSec/],
  ])('rejects the impossible option %j', async (options, message) => {
    await expect(startMockServer(options)).rejects.toThrow(message);
  });

  it('rejects a user without a string userName and apiKey', async () => {
    // @ts-expect-error: the point is a caller that ignores the types
    await expect(startMockServer({ users: [{ userName: 'x' }] })).rejects.toThrow(/userName and apiKey/);
  });
});

describe('close()', () => {
  it('stops listening: later requests are refused', async () => {
    const server = await startMockServer();
    await call(server.url, '/Status/ping');
    await server.close();
    const error = await fetch(`${server.url}/Status/ping`).catch((e: TypeError) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(String((error as TypeError).cause)).toMatch(/ECONNREFUSED/);
  });

  it('closes idle keep-alive connections instead of waiting for them', async () => {
    const server = await startMockServer();
    const agent = new Agent({ keepAlive: true });
    const socketClosed = new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/Status/ping`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          expect(res.headers.connection).toBe('keep-alive');
          req.socket?.once('close', () => resolve());
          void server.close();
        });
      });
      req.on('error', reject);
      req.end();
    });
    await socketClosed;
    agent.destroy();
  });

  it('ends requests held by a delay fault, and is idempotent', async () => {
    const server = await startMockServer();
    server.inject('*', { delayMs: 60_000 });
    const pending = fetch(`${server.url}/Status/ping`).catch((e: TypeError) => e);
    await vi.waitFor(() => expect(server.calls('/Status/ping')).toBe(1));
    await Promise.all([server.close(), server.close()]);
    expect(await pending).toBeInstanceOf(TypeError);
  });

  it('is what `await using` calls', async () => {
    let url = '';
    {
      await using server = await startMockServer();
      url = server.url;
    }
    expect(await fetch(`${url}/Status/ping`).catch((e: TypeError) => e)).toBeInstanceOf(TypeError);
  });
});
