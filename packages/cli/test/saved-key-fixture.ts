import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { Sandbox } from './helpers.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

// What the saved-key suites share (the everyday one without a keychain, the slow one with a
// real Secret Service): a simulator with two users, a fresh sandbox per test, and helpers.

export const PAPER_USER = { userName: 'paper@testmax.local', apiKey: 'tmx_paper_not_a_real_key_00000000' };

export interface SavedKeyFixture {
  readonly server: MockServer;
  readonly sandbox: Sandbox;
  /** The keychain service of the default profile: `testmax:<base URL>`. */
  service(): string;
  login(
    env: Record<string, string>,
    extra?: string[],
    user?: { userName: string; apiKey: string },
  ): ReturnType<Sandbox['run']>;
  /** Make the saved tokens look expired, so the next command must log in again. */
  expireSavedTokens(): Promise<void>;
  /** The --insecure-storage key files in the sandbox. */
  keyFiles(): Promise<string[]>;
}

/** Registers the hooks of the calling test file and returns what its tests use. */
export function useSavedKeyFixture(): SavedKeyFixture {
  let server: MockServer;
  let sandbox: Sandbox;
  beforeAll(async () => {
    server = await startServer({ users: [{ ...DEMO_USER }, PAPER_USER] });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    sandbox = await Sandbox.create();
    sandbox.secret(DEMO_USER.apiKey);
    sandbox.secret(PAPER_USER.apiKey);
    server.clearFaults();
    server.resetCalls();
  });
  afterEach(async () => {
    await sandbox.dispose();
  });
  return {
    get server() {
      return server;
    },
    get sandbox() {
      return sandbox;
    },
    service: () => `testmax:${server.url}`,
    login: (env, extra = [], user = DEMO_USER) =>
      sandbox.run(['login', '--username', user.userName, '--api-key-stdin', ...extra], {
        env: { TESTMAX_API_URL: server.url, ...env },
        stdin: user.apiKey,
      }),
    expireSavedTokens: async () => {
      for (const { file, body } of await sandbox.sessions()) {
        await writeFile(
          file,
          JSON.stringify({ ...body, expiresAt: new Date(Date.now() - 60_000).toISOString() }),
        );
      }
    },
    keyFiles: async () => {
      try {
        return await readdir(join(sandbox.home, 'config', 'testmax', 'keys'));
      } catch {
        return [];
      }
    },
  };
}
