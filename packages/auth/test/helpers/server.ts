import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_USER, type MockServer, type MockServerOptions, startMockServer } from '@testmax/mock-server';
import { afterEach } from 'vitest';
import { AuthSession, type AuthSessionOptions } from '../../src/index.js';
import { addSecret, recordingLogger } from './capture.js';

export { DEMO_USER };

const servers: MockServer[] = [];

/** A real mock server on 127.0.0.1 and a free port, closed after the test. */
export async function mockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer(options);
  servers.push(server);
  return server;
}

export function closeServersAfterEach(): void {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
}

/** Fast retries: a few ms of back-off instead of seconds. */
export const FAST_RETRY = { retries: 2, minDelayMs: 1, maxDelayMs: 5 } as const;

/**
 * Real `fetch`, plus a note of every token the server hands out, so the leak scan knows them
 * all (refreshed and re-issued ones included). It observes; it never changes a response.
 */
export const observingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      const body = (await response.clone().json()) as { token?: unknown; newToken?: unknown };
      for (const t of [body.token, body.newToken]) if (typeof t === 'string') addSecret(t);
    } catch {
      // Not JSON after all (a fault body): nothing to note.
    }
  }
  return response;
};

/** A session for the demo user against `server`, recording its log. */
export function demoSession(server: MockServer, options: Partial<AuthSessionOptions> = {}) {
  const logger = recordingLogger();
  addSecret(DEMO_USER.apiKey);
  const session = new AuthSession({
    userName: DEMO_USER.userName,
    apiKey: DEMO_USER.apiKey,
    baseUrl: server.url,
    retry: FAST_RETRY,
    logger,
    fetch: observingFetch,
    ...options,
  });
  return { session, logger };
}

/** The session's current token, registered as a secret for the leak scan. */
export async function tokenOf(session: AuthSession): Promise<string> {
  const token = await session.getSessionToken();
  addSecret(token);
  return token;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

/**
 * A plain HTTP listener on 127.0.0.1 standing for "some other host": it records what reaches
 * it (the Authorization header above all) and gives every request the same `answer` (by
 * default 401 JSON, like a service that wants its own credentials).
 */
export async function foreignServer(
  answer: { status: number; headers: Record<string, string>; body: Uint8Array | string } = {
    status: 401,
    headers: { 'content-type': 'application/json' },
    body: '{"title":"Unauthorized","status":401}',
  },
): Promise<{ url: string; requests: RecordedRequest[] }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  foreign.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const foreign: Server[] = [];
afterEach(async () => {
  await Promise.all(
    foreign.splice(0).map((s) => new Promise((resolve) => s.close(resolve).closeAllConnections())),
  );
});
