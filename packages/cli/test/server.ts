import {
  DEMO_USER,
  type MockServer,
  type MockServerOptions,
  type MockUser,
  startMockServer,
} from '@testmax/mock-server';

export type { MockServer, MockUser };
export { DEMO_USER };

/** A simulator on a free loopback port; closed by the caller's afterAll/afterEach. */
export function startServer(options: MockServerOptions = {}): Promise<MockServer> {
  return startMockServer({ host: '127.0.0.1', port: 0, ...options });
}

/** A base URL nothing listens on: a port that was just free. */
export async function deadUrl(): Promise<string> {
  const server = await startMockServer({ host: '127.0.0.1', port: 0 });
  const url = server.url;
  await server.close();
  return url;
}
