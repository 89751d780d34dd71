import { DEMO_USER, type MockServer, type MockServerOptions, startMockServer } from '@testmax/mock-server';
import { answer, HostileServer } from '@testmax/test-support/hostile-server';
import { recordingFetch } from '@testmax/test-support/recording-fetch';
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

/** Real `fetch`, noting every token sent or handed out for the leak scan (test-support's). */
export const observingFetch: typeof fetch = recordingFetch(addSecret, { readJsonFirst: true });

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
 * "Some other host" on 127.0.0.1 (test-support's `HostileServer`): it records what reaches it
 * (the Authorization header above all) and gives every request the same `reply` (by default
 * 401 JSON, like a service that wants its own credentials). Closed after the test.
 */
export async function foreignServer(
  reply: { status: number; headers: Record<string, string>; body: Uint8Array | string } = {
    status: 401,
    headers: { 'content-type': 'application/json' },
    body: '{"title":"Unauthorized","status":401}',
  },
): Promise<{ url: string; readonly requests: RecordedRequest[] }> {
  const server = await HostileServer.start();
  server.otherwise(answer(reply.status, reply.headers, reply.body));
  foreign.push(server);
  return {
    url: server.url,
    get requests() {
      return server.requests.map((r) => ({
        method: r.method,
        path: r.url,
        authorization: r.headers.authorization,
        body: r.body,
      }));
    },
  };
}

const foreign: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(foreign.splice(0).map((s) => s.close()));
});
