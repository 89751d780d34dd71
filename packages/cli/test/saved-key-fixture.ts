import { readdir, readFile, writeFile } from 'node:fs/promises';
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
      // The expiry a token file holds is the token's own: the token becomes one received a day
      // and an hour ago, whose day has passed (the CLI reads it; the server never saw it).
      const receivedAt = Date.now() - 25 * 3600_000;
      for (const { file } of await sandbox.sessions()) {
        const state = JSON.parse(await readFile(file, 'utf8')) as {
          token?: { value: string; receivedAt: number };
        };
        if (state.token)
          state.token = { ...state.token, value: expiredJwt(state.token.value, receivedAt), receivedAt };
        await writeFile(file, JSON.stringify(state), { mode: 0o600 });
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

/** The token as if issued at `issuedAt` for 24 h (with a signature nobody checks here). */
function expiredJwt(token: string, issuedAt: number): string {
  const [header, payload] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as object;
  const iat = Math.floor(issuedAt / 1000);
  const expired = { ...claims, iat, exp: iat + 24 * 3600 };
  return `${header}.${Buffer.from(JSON.stringify(expired)).toString('base64url')}.expired`;
}
