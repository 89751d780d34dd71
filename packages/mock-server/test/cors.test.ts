import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from '../src/index.js';
import { call } from './helpers/api.js';

let server: MockServer;
beforeEach(async () => {
  server = await startMockServer();
});
afterEach(async () => {
  await server.close();
});

const preflight = (origin: string) =>
  call(server.url, '/Auth/loginKey', {
    method: 'OPTIONS',
    contract: false,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });

describe('CORS', () => {
  it.each(['http://127.0.0.1:5173', 'http://localhost:3000', 'http://[::1]:8080', 'http://localhost'])(
    'allows a preflight from the loopback origin %s',
    async (origin) => {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
      expect(res.headers.get('vary')).toContain('Origin');
    },
  );

  it('reflects a loopback origin on real answers and exposes Retry-After', async () => {
    const res = await call(server.url, '/Status/ping', { headers: { origin: 'http://localhost:5173' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After');
  });

  it.each([
    'https://evil.example',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io',
    'https://localhost:3000',
    'null',
  ])('gives the origin %s no Access-Control-Allow-Origin', async (origin) => {
    const res = await preflight(origin);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('access-control-allow-methods')).toBeNull();
    const ping = await call(server.url, '/Status/ping', { headers: { origin } });
    expect(ping.headers.get('access-control-allow-origin')).toBeNull();
    expect(ping.json.success).toBe(true);
  });
});
