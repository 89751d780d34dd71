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
