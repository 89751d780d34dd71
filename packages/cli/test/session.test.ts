import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthSession } from '@testmax/auth';
import { fileTokenStore } from '@testmax/auth/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, runToFile, Sandbox } from './helpers.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

let server: MockServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  sandbox = await Sandbox.create();
  sandbox.secret(DEMO_USER.apiKey);
});
afterEach(async () => {
  await sandbox.dispose();
});

/** Settings that point the CLI at the simulator, and nothing else. */
const api = () => ({ TESTMAX_API_URL: server.url });
/** The credentials in the environment too, so the CLI can log in by itself. */
const withKey = () => ({ ...api(), TESTMAX_USERNAME: DEMO_USER.userName, TESTMAX_API_KEY: DEMO_USER.apiKey });

async function login(extraEnv: Record<string, string> = {}) {
  const result = await sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
    stdin: `${DEMO_USER.apiKey}\n`,
    env: { ...api(), ...extraEnv },
  });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

async function cachedToken(): Promise<string> {
  const sessions = await sandbox.sessions();
  expect(sessions).toHaveLength(1);
  return sessions[0]!.body.token as string;
}

/** Ask the simulator directly whether it still accepts a token. */
async function serverAccepts(token: string): Promise<boolean> {
  const response = await fetch(`${server.url}/Auth/validate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  return response.status === 200 && ((await response.json()) as { success: boolean }).success;
}

describe('login', () => {
  it('reads the key from stdin, saves only the token in a 0600 file inside a 0700 directory', async () => {
    const result = await login();
    expect(result.stdout).toContain(`Logged in to ${server.url} as ${DEMO_USER.userName}`);
    expect(result.stdout).toContain('The API key was not saved');

    const [session] = await sandbox.sessions();
    expect(session).toBeDefined();
    expect((await stat(session!.file)).mode & 0o777).toBe(0o600);
    expect((await stat(sandbox.stateDir)).mode & 0o777).toBe(0o700);
    expect(session!.body).toMatchObject({ version: 1, baseUrl: server.url, userName: DEMO_USER.userName });
    expect(JSON.stringify(session!.body)).not.toContain(DEMO_USER.apiKey);
    expect(await serverAccepts(session!.body.token as string)).toBe(true);
    expect(result.stdout).toContain(session!.file);
  });

  it('re-applies 0600/0700 when the cache file and directory were loosened', async () => {
    await login();
    const [session] = await sandbox.sessions();
    const { chmod } = await import('node:fs/promises');
    await chmod(session!.file, 0o644);
    await chmod(sandbox.stateDir, 0o755);
    // Reading warns about the loose file; the next write tightens both again.
    const status = await sandbox.run(['status'], { env: api() });
    expect(status.stderr).toContain(`chmod 600 ${session!.file}`);
    await login();
    expect((await stat(session!.file)).mode & 0o777).toBe(0o600);
    expect((await stat(sandbox.stateDir)).mode & 0o777).toBe(0o700);
  });

  it('--json prints one document with the user, expiry and token file, never the token', async () => {
    const result = await sandbox.run(
      ['login', '--json', '--username', DEMO_USER.userName, '--api-key-stdin'],
      {
        stdin: DEMO_USER.apiKey,
        env: api(),
      },
    );
    expect(result.code).toBe(0);
    const doc = jsonOf(result);
    expect(doc).toMatchObject({ ok: true, userName: DEMO_USER.userName, baseUrl: server.url });
    expect(Date.parse(doc.expiresAt as string)).toBeGreaterThan(Date.now());
    expect(doc.tokenFile).toBe((await sandbox.sessions())[0]!.file);
  });

  it('uses the key from the environment when no --api-key-stdin is given', async () => {
    const result = await sandbox.run(['login'], { env: withKey() });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Using the API key from environment variable TESTMAX_API_KEY');
    expect(await sandbox.sessions()).toHaveLength(1);
  });

  it('does not send the configured key on behalf of a different --username', async () => {
    const logins = server.calls('/Auth/loginKey');
    const result = await sandbox.run(['login', '--username', 'someone-else@testmax.local'], {
      env: withKey(),
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('--api-key-stdin');
    expect(server.calls('/Auth/loginKey')).toBe(logins);
    expect(await sandbox.sessions()).toHaveLength(0);
  });
});

describe('status', () => {
  it('shows the user, where each setting came from, the expiry in local time, and the server verdict', async () => {
    await login();
    const result = await sandbox.run(['status'], { env: { ...api(), TZ: 'UTC' } });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`API\\s+${server.url} \\(environment variable TESTMAX_API_URL\\)`),
    );
    expect(result.stdout).toMatch(
      new RegExp(`User\\s+${DEMO_USER.userName} \\(last login, from the token cache\\)`),
    );
    expect(result.stdout).toMatch(/API key\s+not configured/);
    expect(result.stdout).toMatch(/token expires \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 2[34]h \d+m\)/);
    expect(result.stdout).toContain('token accepted');
  });

  it('shows expiry in the local time zone', async () => {
    await login();
    const utc = jsonOf(await sandbox.run(['status', '--json'], { env: api() }));
    const result = await sandbox.run(['status'], { env: { ...api(), TZ: 'Asia/Tokyo' } });
    const expires = new Date((utc.session as { expiresAt: string }).expiresAt);
    const tokyo = new Date(expires.getTime() + 9 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
    expect(result.stdout).toContain(`token expires ${tokyo} GMT+9`);
  });

  it('--json reports sources and state and never the key or token', async () => {
    await login();
    const doc = jsonOf(await sandbox.run(['status', '--json'], { env: withKey() }));
    expect(doc).toMatchObject({
      ok: true,
      baseUrl: { value: server.url, source: 'environment variable TESTMAX_API_URL' },
      userName: { value: DEMO_USER.userName, source: 'environment variable TESTMAX_USERNAME' },
      apiKey: { configured: true, source: 'environment variable TESTMAX_API_KEY', saved: null },
      session: { loggedIn: true, expired: false },
      server: { state: 'accepted' },
    });
  });

  it('not logged in: says so and exits 4 (human and JSON)', async () => {
    const human = await sandbox.run(['status'], { env: api() });
    expect(human.code).toBe(4);
    expect(human.stdout).toMatch(/Session\s+not logged in/);
    expect(human.stderr).toContain('testmax login');
    const json = await sandbox.run(['status', '--json'], { env: api() });
    expect(json.code).toBe(4);
    expect(jsonOf(json)).toMatchObject({ ok: false, session: { loggedIn: false } });
  });

  it('--json failure documents carry the same error object as every other command', async () => {
    const shape = (exitCode: number, code: string) => ({
      ok: false,
      error: { code, exitCode, message: expect.any(String), hint: expect.any(String) },
    });
    // Not logged in.
    expect(jsonOf(await sandbox.run(['status', '--json'], { env: api() }))).toMatchObject({
      ...shape(4, 'not_logged_in'),
      session: { loggedIn: false },
    });
    // Refused by the server.
    await login();
    server.revokeAllTokens();
    expect(jsonOf(await sandbox.run(['status', '--json'], { env: api() }))).toMatchObject({
      ...shape(3, 'auth_failed'),
      server: { state: 'refused' },
    });
    // The server could not be asked (a timeout, whose hint names the CLI's settings).
    await login();
    server.inject('/Auth/validate', { delayMs: 3_000, times: 5 });
    try {
      const doc = jsonOf(
        await sandbox.run(['status', '--json'], {
          env: { ...api(), TESTMAX_RETRIES: '0', TESTMAX_TIMEOUT_MS: '200' },
        }),
      );
      expect(doc).toMatchObject({ ...shape(5, 'unavailable'), server: { state: 'unreachable' } });
      expect((doc.error as { hint: string }).hint).toContain('TESTMAX_TIMEOUT_MS');
    } finally {
      server.clearFaults();
    }
  });

  it('a token without a readable exp: saved with expiresAt null, shown as unknown', async () => {
    // A login that hands out an opaque token, and a validate that accepts it.
    const opaque = 'opaque-session-token-without-any-claims-0123456789';
    const answer = JSON.stringify({ success: true, errorCode: 0, errorMessage: null, token: opaque });
    server.inject('/Auth/loginKey', { status: 200, body: answer });
    server.inject('/Auth/validate', { status: 200, body: answer, times: 2 });
    try {
      const result = await login();
      expect(result.stdout).toContain('its expiry is unknown (the token carries no expiry)');
      const [session] = await sandbox.sessions();
      expect(session!.body).toMatchObject({ token: opaque, expiresAt: null });
      const status = await sandbox.run(['status'], { env: api() });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/Session\s+token expires unknown \(the token carries no expiry\)/);
      const validate = await sandbox.run(['validate', '--json'], { env: api() });
      expect(jsonOf(validate)).toMatchObject({ ok: true, valid: true, expiresAt: null });
    } finally {
      server.clearFaults();
    }
  });
});

describe('token', () => {
  it('prints only the cached token, for $(testmax token)', async () => {
    await login();
    const result = await sandbox.run(['token'], { env: api() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${await cachedToken()}\n`);
    expect(result.stdout.split('.')).toHaveLength(3);
    expect(result.stderr).toBe('');
  });

  it('--json includes the token and its expiry', async () => {
    await login();
    const doc = jsonOf(await sandbox.run(['token', '--json'], { env: api() }));
    expect(doc).toMatchObject({ ok: true, token: await cachedToken(), userName: DEMO_USER.userName });
  });

  it('logs in by itself when credentials are configured and nothing is cached', async () => {
    const result = await sandbox.run(['token'], { env: withKey() });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(await cachedToken());
    expect(await serverAccepts(result.stdout.trim())).toBe(true);
  });

  it('does not print a token it could not check: server unreachable → exit 5, empty stdout', async () => {
    await login();
    server.inject('/Auth/validate', { drop: true, times: 10 });
    try {
      const result = await sandbox.run(['token'], { env: { ...api(), TESTMAX_RETRIES: '0' } });
      expect(result.code).toBe(5);
      expect(result.stdout).toBe('');
      // The saved session is kept: nothing says it is bad.
      expect(await sandbox.sessions()).toHaveLength(1);
    } finally {
      server.clearFaults();
    }
  });

  it.skipIf(!existsSync('/dev/full'))(
    '> /dev/full: one line "cannot write output", exit 1, no stack trace',
    async () => {
      await login();
      for (const args of [['token'], ['token', '--json'], ['accounts'], ['status', '--json']]) {
        const result = await runToFile(sandbox, args, '/dev/full', api());
        expect(result.stderr, args.join(' ')).toBe('testmax: cannot write output (ENOSPC)\n');
        expect(result.code, args.join(' ')).toBe(1);
      }
    },
  );

  it('exits 4 when not logged in and no key is configured', async () => {
    const result = await sandbox.run(['token'], { env: { ...api(), TESTMAX_USERNAME: DEMO_USER.userName } });
    expect(result.code).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Not logged in as ${DEMO_USER.userName}`);
    expect(result.stderr).toContain('testmax login');
  });
});

describe('a token revoked on the server', () => {
  it('is detected and replaced by `token` when the key is configured', async () => {
    await login();
    const old = await cachedToken();
    server.revokeAllTokens();
    const result = await sandbox.run(['token'], { env: withKey() });
    expect(result.code).toBe(0);
    const fresh = result.stdout.trim();
    expect(fresh).not.toBe(old);
    expect(fresh).toBe(await cachedToken());
    expect(await serverAccepts(fresh)).toBe(true);
  });

  it('is never handed out by `token` without a key: exit 3 (a rejected token) and it is removed', async () => {
    await login();
    server.revokeAllTokens();
    const result = await sandbox.run(['token'], { env: api() });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('refused the saved session token');
    expect(await sandbox.sessions()).toHaveLength(0);
    // Now there is no token and no key at all: that is exit 4.
    expect(
      (await sandbox.run(['token'], { env: { ...api(), TESTMAX_USERNAME: DEMO_USER.userName } })).code,
    ).toBe(4);
  });

  it('makes `validate` exit 3 and `status` report it refused (status keeps the file)', async () => {
    await login();
    server.revokeAllTokens();
    const status = await sandbox.run(['status'], { env: api() });
    expect(status.code).toBe(3);
    expect(status.stdout).toContain('token refused');
    expect(await sandbox.sessions()).toHaveLength(1);
    const validate = await sandbox.run(['validate'], { env: api() });
    expect(validate.code).toBe(3);
    expect(validate.stderr).toContain('refused the saved session token');
    expect(await sandbox.sessions()).toHaveLength(0);
  });

  it('`accounts` logs in again and retries once when the key is configured', async () => {
    await login();
    const old = await cachedToken();
    server.revokeAllTokens();
    const result = await sandbox.run(['accounts'], { env: withKey() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('SIM-50K-01');
    expect(await cachedToken()).not.toBe(old);
  });

  it('`accounts` without a key exits 3, like every other command meeting a rejected token', async () => {
    await login();
    server.revokeAllTokens();
    const result = await sandbox.run(['accounts'], { env: api() });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('refused the saved session token');
    expect(await sandbox.sessions()).toHaveLength(0);
  });
});

describe('expired cached token', () => {
  let shortLived: MockServer;
  beforeAll(async () => {
    shortLived = await startServer({ tokenLifetimeSec: 1 });
  });
  afterAll(async () => {
    await shortLived.close();
  });

  it('without a key: rejected (3), then not logged in (4); with a key: a new login', async () => {
    const env = { TESTMAX_API_URL: shortLived.url };
    const first = await sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
      stdin: DEMO_USER.apiKey,
      env,
    });
    expect(first.code).toBe(0);
    const old = await cachedToken();
    await new Promise((resolve) => setTimeout(resolve, 2_200));

    const status = await sandbox.run(['status'], { env });
    expect(status.code).toBe(3);
    expect(status.stderr).toContain('has expired');
    const noKey = await sandbox.run(['token'], { env });
    expect(noKey.code).toBe(3);
    expect(noKey.stderr).toContain('has expired');
    expect(
      (await sandbox.run(['token'], { env: { ...env, TESTMAX_USERNAME: DEMO_USER.userName } })).code,
    ).toBe(4);

    const withKeyRun = await sandbox.run(['token'], {
      env: { ...env, TESTMAX_USERNAME: DEMO_USER.userName, TESTMAX_API_KEY: DEMO_USER.apiKey },
    });
    expect(withKeyRun.code).toBe(0);
    expect(withKeyRun.stdout.trim()).not.toBe(old);
  });
});

describe('validate', () => {
  it('accepts a fresh login and reports the expiry', async () => {
    await login();
    const result = await sandbox.run(['validate'], { env: api() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Token for ${DEMO_USER.userName} accepted`);
    const doc = jsonOf(await sandbox.run(['validate', '--json'], { env: api() }));
    expect(doc).toMatchObject({ ok: true, valid: true, userName: DEMO_USER.userName, loggedIn: false });
  });

  it('with no session but a key, logs in (which validates the key) and saves the token', async () => {
    const result = await sandbox.run(['validate'], { env: withKey() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('logged in with the configured key');
    expect(await sandbox.sessions()).toHaveLength(1);
  });

  it('exits 4 when there is nothing to validate', async () => {
    expect((await sandbox.run(['validate'], { env: api() })).code).toBe(4);
  });
});

describe('accounts', () => {
  it('prints a table of every account', async () => {
    await login();
    const result = await sandbox.run(['accounts'], { env: api() });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/ID\s+NAME\s+BALANCE\s+CAN TRADE/);
    expect(lines).toHaveLength(1 + DEMO_USER.accounts.length);
    expect(result.stdout).toMatch(/7002\s+SIM-150K-02\s+148,250\.50\s+no/);
  });

  it('--json lists the accounts; --active only those that can trade', async () => {
    await login();
    const all = jsonOf(await sandbox.run(['accounts', '--json'], { env: api() }));
    expect(all.accounts).toEqual(DEMO_USER.accounts);
    const active = jsonOf(await sandbox.run(['accounts', '--active', '--json'], { env: api() }));
    expect(active.accounts).toEqual(DEMO_USER.accounts.filter((a) => a.canTrade));
  });

  it('exits 4 when not logged in', async () => {
    expect((await sandbox.run(['accounts'], { env: api() })).code).toBe(4);
  });
});

describe('logout', () => {
  it('revokes the token on the server, deletes the file, and is idempotent', async () => {
    await login();
    const token = await cachedToken();
    const before = server.calls('/Auth/logout');
    const result = await sandbox.run(['logout'], { env: api() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged out ${DEMO_USER.userName}`);
    expect(server.calls('/Auth/logout')).toBe(before + 1);
    expect(await serverAccepts(token)).toBe(false);
    expect(await sandbox.sessions()).toHaveLength(0);

    const again = await sandbox.run(['logout'], { env: api() });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect(server.calls('/Auth/logout')).toBe(before + 1);
    expect(jsonOf(await sandbox.run(['logout', '--json'], { env: api() }))).toMatchObject({
      ok: true,
      loggedOut: false,
    });
  });

  it('never logs in just to log out, even with a key configured', async () => {
    const logins = server.calls('/Auth/loginKey');
    const result = await sandbox.run(['logout'], { env: withKey() });
    expect(result.code).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(logins);
  });

  it('after logout every command that needs a session exits 4', async () => {
    await login();
    await sandbox.run(['logout'], { env: api() });
    for (const command of ['token', 'status', 'validate', 'accounts']) {
      expect((await sandbox.run([command], { env: api() })).code, command).toBe(4);
    }
  });
});

describe('sessions are kept per base URL and user', () => {
  it('a login against another server does not touch this one', async () => {
    const other = await startServer();
    try {
      await login();
      const mine = await cachedToken();
      const result = await sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
        stdin: DEMO_USER.apiKey,
        env: { TESTMAX_API_URL: other.url },
      });
      expect(result.code).toBe(0);
      expect(await sandbox.sessions()).toHaveLength(2);
      const token = await sandbox.run(['token'], { env: api() });
      expect(token.stdout.trim()).toBe(mine);
      const viaFlag = await sandbox.run(['token', '--base-url', other.url], { env: api() });
      expect(viaFlag.stdout.trim()).not.toBe(mine);
    } finally {
      await other.close();
    }
  });
});

describe('more of logout and the cache', () => {
  it('logout of a token the server already refuses: deleted, and it says the token was already invalid', async () => {
    await login();
    server.revokeAllTokens();
    const result = await sandbox.run(['logout'], { env: api() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('the saved token was already invalid');
    expect(result.stdout).not.toContain('revoked');
    expect(await sandbox.sessions()).toHaveLength(0);

    await login();
    server.revokeAllTokens();
    expect(jsonOf(await sandbox.run(['logout', '--json'], { env: api() }))).toMatchObject({
      ok: true,
      loggedOut: true,
      revoked: false,
    });
  });

  it.each([
    ['the connection drops', { drop: true }],
    ['HTTP 503', { status: 503 }],
  ])(
    'logout when %s: the file is kept (exit 5, one line), and a later logout revokes it',
    async (_what, fault) => {
      await login();
      const token = await cachedToken();
      server.inject('/Auth/logout', { ...fault, times: 10 });
      try {
        const result = await sandbox.run(['logout'], { env: { ...api(), TESTMAX_RETRIES: '0' } });
        expect(result.code).toBe(5);
        expect(result.stdout).toBe('');
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).toContain('was kept');
        expect(result.stderr).toContain('testmax logout');
        expect(await cachedToken()).toBe(token);
        expect(await serverAccepts(token)).toBe(true);
      } finally {
        server.clearFaults();
      }
      const retry = await sandbox.run(['logout'], { env: api() });
      expect(retry.code).toBe(0);
      expect(retry.stdout).toContain('revoked and deleted');
      expect(await serverAccepts(token)).toBe(false);
      expect(await sandbox.sessions()).toHaveLength(0);
    },
  );

  it('logout answered with something unreadable: deleted locally (retrying would not help), exit 1', async () => {
    await login();
    server.inject('/Auth/logout', { status: 200, body: '{"success": tr', contentType: 'application/json' });
    const result = await sandbox.run(['logout'], { env: { ...api(), TESTMAX_RETRIES: '0' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('deleted here');
    expect(await sandbox.sessions()).toHaveLength(0);
  });

  it('logging in again revokes the token it replaces', async () => {
    await login();
    const old = await cachedToken();
    const logouts = server.calls('/Auth/logout');
    await login();
    const fresh = await cachedToken();
    expect(fresh).not.toBe(old);
    expect(server.calls('/Auth/logout')).toBe(logouts + 1);
    expect(await serverAccepts(old)).toBe(false);
    expect(await serverAccepts(fresh)).toBe(true);
  });

  it('a session file with loose permissions: the warning says what is loose', async () => {
    await login();
    const [session] = await sandbox.sessions();
    const { chmod } = await import('node:fs/promises');
    await chmod(session!.file, 0o620);
    const status = await sandbox.run(['status'], { env: api() });
    expect(status.stderr).toContain('is writable by group (mode 620)');
    expect(status.stderr).not.toContain('readable');
    await chmod(session!.file, 0o644);
    const again = await sandbox.run(['status'], { env: api() });
    expect(again.stderr).toContain('is readable by group and others (mode 644)');
  });

  it('an unusable cache directory: one line naming it and XDG_STATE_HOME, not "Unexpected error"', async () => {
    const { writeFile } = await import('node:fs/promises');
    const file = `${sandbox.home}/not-a-directory`;
    await writeFile(file, '');
    const logouts = server.calls('/Auth/logout');
    const result = await sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
      stdin: DEMO_USER.apiKey,
      env: { ...api(), XDG_STATE_HOME: file },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`${file}/testmax`);
    expect(result.stderr).toContain('XDG_STATE_HOME');
    expect(result.stderr).toContain('ENOTDIR');
    // Message and hint are two sentences.
    expect(result.stderr).toMatch(/\)\. Make it a directory/);
    expect(result.stderr).not.toMatch(/Unexpected|report it/);
    // The token it could not save was revoked rather than left valid and unreachable.
    expect(server.calls('/Auth/logout')).toBe(logouts + 1);
  });

  it('a corrupt session file is ignored with a warning and replaced by the next login', async () => {
    await login();
    const [session] = await sandbox.sessions();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(session!.file, '{"version": 1, "tok');
    const status = await sandbox.run(['status'], { env: api() });
    expect(status.code).toBe(4);
    expect(status.stderr).toContain('not a testmax session file');
    await login();
    expect(await sandbox.sessions()).toHaveLength(1);
  });

  it('a token the server renews on validate is saved, and the new one is handed out', async () => {
    // refreshWindowSec = lifetime: every validate answers with a new token.
    const renewing = await startServer({ tokenLifetimeSec: 3600, refreshWindowSec: 3600 });
    try {
      const env = { TESTMAX_API_URL: renewing.url };
      const first = await sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
        stdin: DEMO_USER.apiKey,
        env,
      });
      expect(first.code).toBe(0);
      const old = await cachedToken();
      const result = await sandbox.run(['token'], { env });
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).not.toBe(old);
      expect(result.stdout.trim()).toBe(await cachedToken());
      expect(renewing.calls('/Auth/loginKey')).toBe(1);
    } finally {
      await renewing.close();
    }
  });
});

describe('cache location and concurrency', () => {
  it('without XDG_STATE_HOME the cache lives in ~/.local/state/testmax; a relative one is ignored', async () => {
    for (const xdg of [undefined, 'relative/state']) {
      const result = await sandbox.run(['login', '-u', DEMO_USER.userName, '--api-key-stdin', '--json'], {
        stdin: DEMO_USER.apiKey,
        env: { ...api(), XDG_STATE_HOME: xdg },
      });
      expect(result.code).toBe(0);
      const file = jsonOf(result).tokenFile as string;
      // fileTokenStore's file (the CLI's cache is the store bots share; files were session-*.json).
      expect(file.startsWith(`${sandbox.home}/.local/state/testmax/token-`)).toBe(true);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    }
  });

  it('a session file of an earlier version is moved into the cache: nobody is logged out by the upgrade', async () => {
    await login();
    const token = await cachedToken();
    const [saved] = await sandbox.sessions();
    const { rm, writeFile, readdir } = await import('node:fs/promises');
    await rm(saved!.file);
    const old = join(sandbox.stateDir, 'session-0123456789abcdef01234567.json');
    const body = {
      version: 1,
      baseUrl: server.url,
      userName: DEMO_USER.userName,
      token,
      expiresAt: null,
      savedAt: new Date().toISOString(),
    };
    await writeFile(old, JSON.stringify(body), { mode: 0o600 });
    const result = await sandbox.run(['token'], { env: api() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(token);
    expect((await readdir(sandbox.stateDir)).filter((name) => name.startsWith('session-'))).toEqual([]);
    expect(await cachedToken()).toBe(token);
  });

  it('5 concurrent `token` runs with nothing cached share one login and print one token', async () => {
    const logins = server.calls('/Auth/loginKey');
    const results = await Promise.all(
      Array.from({ length: 5 }, () => sandbox.run(['token'], { env: withKey() })),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    expect(server.calls('/Auth/loginKey')).toBe(logins + 1);
    expect(await serverAccepts(results[0]!.stdout.trim())).toBe(true);
  });

  it('5 concurrent `login` runs leave no live token behind but the saved one', async () => {
    const [logins, logouts] = [server.calls('/Auth/loginKey'), server.calls('/Auth/logout')];
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
          stdin: DEMO_USER.apiKey,
          env: api(),
        }),
      ),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    // Five logins, one after the other through the cache's lock; each revoked the one before.
    expect(server.calls('/Auth/loginKey')).toBe(logins + 5);
    expect(server.calls('/Auth/logout')).toBe(logouts + 4);
    expect(await serverAccepts(await cachedToken())).toBe(true);
  });

  it('a bot on the same machine (fileTokenStore) uses the token `testmax login` saved', async () => {
    await login();
    const logins = server.calls('/Auth/loginKey');
    const bot = new AuthSession({
      ...DEMO_USER,
      baseUrl: server.url,
      store: fileTokenStore({ path: sandbox.stateDir }),
      logger: false,
    });
    expect(await bot.getSessionToken()).toBe(await cachedToken());
    expect(server.calls('/Auth/loginKey')).toBe(logins);
    // …and `testmax logout` logs the bot out with it: the token is revoked and gone.
    expect((await sandbox.run(['logout'], { env: api() })).code).toBe(0);
    await expect(bot.validate()).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('parallel `token` runs all succeed and leave one valid cache file', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => sandbox.run(['token'], { env: withKey() })),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const sessions = await sandbox.sessions();
    expect(sessions).toHaveLength(1);
    expect(await serverAccepts(sessions[0]!.body.token as string)).toBe(true);
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(sandbox.stateDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
