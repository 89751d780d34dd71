import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type SecretService,
  secretServiceAvailable,
  startSecretService,
  startSilentBus,
} from '@testmax/test-support/secret-service';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, Sandbox } from './helpers.js';
import { readKeychainEntry } from './keychain-helpers.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

// `testmax login` keeps the API key where the next command finds it when the token expires:
// the OS keychain (a real Secret Service here, on a private bus), a 0600 file with
// --insecure-storage, or nowhere (and says so). Each profile has its own token and key.

const PAPER_USER = { userName: 'paper@testmax.local', apiKey: 'tmx_paper_not_a_real_key_00000000' };

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

const SERVICE = () => `testmax:${server.url}`;

async function login(
  env: Record<string, string>,
  extra: string[] = [],
  user: { userName: string; apiKey: string } = DEMO_USER,
) {
  return sandbox.run(['login', '--username', user.userName, '--api-key-stdin', ...extra], {
    env: { TESTMAX_API_URL: server.url, ...env },
    stdin: user.apiKey,
  });
}

/** Make the saved token look expired, so the next command must log in again. */
async function expireSavedTokens(): Promise<void> {
  for (const { file, body } of await sandbox.sessions()) {
    await writeFile(
      file,
      JSON.stringify({ ...body, expiresAt: new Date(Date.now() - 60_000).toISOString() }),
    );
  }
}

async function keyFiles(): Promise<string[]> {
  try {
    return await readdir(join(sandbox.home, 'config', 'testmax', 'keys'));
  } catch {
    return [];
  }
}

describe.runIf(secretServiceAvailable())('the key in the OS keychain (a real Secret Service)', () => {
  let service: SecretService;
  let env: Record<string, string>;
  beforeAll(async () => {
    service = await startSecretService();
  });
  afterAll(() => service?.stop());
  beforeEach(() => {
    // The CLI keeps its own sandboxed HOME and XDG dirs; only the bus is the Secret Service's.
    env = {
      TESTMAX_API_URL: server.url,
      DBUS_SESSION_BUS_ADDRESS: service.env.DBUS_SESSION_BUS_ADDRESS!,
      TESTMAX_KEYCHAIN: '',
    };
  });

  it('login stores it, status says where, an expired or refused token logs in again with it, logout forgets it', async () => {
    const loggedIn = await login(env);
    expect(loggedIn.code, loggedIn.stderr).toBe(0);
    expect(loggedIn.stdout).toMatch(
      /The API key was saved in the Secret Service keyring: when the token expires/,
    );
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBe(DEMO_USER.apiKey);
    expect(await keyFiles()).toEqual([]);

    const status = await sandbox.run(['status'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/API key\s+saved in the Secret Service keyring/);
    const statusJson = jsonOf(await sandbox.run(['status', '--json'], { env })) as {
      apiKey: { configured: boolean; saved: { kind: string } };
    };
    expect(statusJson.apiKey).toMatchObject({ configured: true, saved: { kind: 'keychain' } });

    // Expired: the next command logs in by itself with the saved key.
    server.resetCalls();
    await expireSavedTokens();
    const accounts = await sandbox.run(['accounts'], { env });
    expect(accounts.code, accounts.stderr).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    await expireSavedTokens();
    const token = await sandbox.run(['token'], { env });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(server.calls('/Auth/loginKey')).toBe(2);
    await expireSavedTokens();
    const validate = await sandbox.run(['validate'], { env });
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/logged in with the key saved in the Secret Service keyring/);
    expect(server.calls('/Auth/loginKey')).toBe(3);

    // Refused (revoked on the server): one login with the saved key, the call retried once.
    server.revokeAllTokens();
    server.resetCalls();
    const api = await sandbox.run(['api', 'Account/search'], { env });
    expect(api.code, api.stderr).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(server.calls('/Account/search')).toBe(2);

    const loggedOut = await sandbox.run(['logout'], { env });
    expect(loggedOut.code, loggedOut.stderr).toBe(0);
    expect(loggedOut.stdout).toMatch(/The saved API key was removed from the Secret Service keyring/);
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBeNull();
    const after = await sandbox.run(['accounts'], { env: { ...env, TESTMAX_USERNAME: DEMO_USER.userName } });
    expect(after.code).toBe(4);
  });

  it('each profile has its own token and keychain entry; logout of one leaves the other', async () => {
    await sandbox.writeConfig({
      profiles: { paper: { username: PAPER_USER.userName } },
    } as unknown as Record<string, string>);
    expect((await login(env)).code).toBe(0);
    const paper = await login(env, ['--profile', 'paper'], PAPER_USER);
    expect(paper.code, paper.stderr).toBe(0);
    expect(paper.stdout).toMatch(/as paper@testmax\.local \(profile paper\)/);
    expect(readKeychainEntry(service.env, `${SERVICE()} profile paper`, PAPER_USER.userName)).toBe(
      PAPER_USER.apiKey,
    );
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBe(DEMO_USER.apiKey);
    expect(await sandbox.sessions()).toHaveLength(2);

    const status = await sandbox.run(['status', '--profile', 'paper'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Profile\s+paper \(flag --profile\)/);
    expect(status.stdout).toMatch(/User\s+paper@testmax\.local/);
    const viaEnv = jsonOf(
      await sandbox.run(['status', '--json'], { env: { ...env, TESTMAX_PROFILE: 'paper' } }),
    );
    expect(viaEnv.profile).toEqual({ value: 'paper', source: 'environment variable TESTMAX_PROFILE' });

    const out = await sandbox.run(['logout', '--profile', 'paper'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(readKeychainEntry(service.env, `${SERVICE()} profile paper`, PAPER_USER.userName)).toBeNull();
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBe(DEMO_USER.apiKey);
    const stillIn = await sandbox.run(['status'], { env });
    expect(stillIn.code, stillIn.stderr).toBe(0);
    await sandbox.run(['logout'], { env });
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBeNull();
  });

  it('a key from the environment is not saved again; --insecure-storage moves it to a file', async () => {
    const fromEnv = await sandbox.run(['login'], {
      env: { ...env, TESTMAX_USERNAME: DEMO_USER.userName, TESTMAX_API_KEY: DEMO_USER.apiKey },
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toMatch(/The API key stays in environment variable TESTMAX_API_KEY/);
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBeNull();

    expect((await login(env)).code).toBe(0);
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBe(DEMO_USER.apiKey);
    const insecure = await login(env, ['--insecure-storage']);
    expect(insecure.code, insecure.stderr).toBe(0);
    // One place at a time: the keychain copy went when the file came.
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBeNull();
    expect(await keyFiles()).toHaveLength(1);
    await sandbox.run(['logout'], { env });
    expect(await keyFiles()).toEqual([]);
  });
});

describe.runIf(secretServiceAvailable())(
  'a keychain that refuses or never answers: login falls back and says so',
  () => {
    it('a locked keyring: logged in, the key not saved, a warning saying why', async () => {
      await using locked = await startSecretService({ locked: true });
      const env = { DBUS_SESSION_BUS_ADDRESS: locked.env.DBUS_SESSION_BUS_ADDRESS!, TESTMAX_KEYCHAIN: '' };
      const result = await login(env);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(
        /warning: the API key could not be saved in the OS keychain \(the Secret Service keyring: it refused access/,
      );
      expect(result.stdout).toMatch(/The API key was not saved/);
      expect(await keyFiles()).toEqual([]);
    });

    it('a bus that never answers: given up after TESTMAX_KEYCHAIN_TIMEOUT_MS, logged in all the same', async () => {
      const bus = await startSilentBus();
      try {
        const env = {
          TESTMAX_API_URL: server.url,
          DBUS_SESSION_BUS_ADDRESS: bus.address,
          TESTMAX_KEYCHAIN: '',
          TESTMAX_KEYCHAIN_TIMEOUT_MS: '1000',
        };
        const result = await login(env);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toMatch(/it did not answer within 1 s \(TESTMAX_KEYCHAIN_TIMEOUT_MS\)/);
        expect(result.stdout).toMatch(/The API key was not saved/);
        expect(bus.connections).toBeGreaterThan(0);
        // Without the key, an expired token cannot be replaced: exit 3, not a hang.
        await expireSavedTokens();
        const after = await sandbox.run(['accounts'], { env });
        expect(after.code).toBe(3);
        expect(after.stderr).toMatch(
          /warning: could not read the saved API key from the Secret Service keyring: it did not answer within 1 s/,
        );
        await expect.poll(() => bus.open, { timeout: 10_000 }).toBe(0);
      } finally {
        await bus.close();
      }
    });
  },
);

describe('without a keychain (no D-Bus session)', () => {
  let env: Record<string, string>;
  beforeEach(() => {
    env = { TESTMAX_API_URL: server.url, TESTMAX_KEYCHAIN: '' };
  });

  it('login stores nothing and says so', async () => {
    const result = await login(env);
    expect(result.code, result.stderr).toBe(0);
    if (process.platform === 'linux') {
      expect(result.stdout).toMatch(
        /The API key was not saved \(the Secret Service keyring: there is no D-Bus session here \(DBUS_SESSION_BUS_ADDRESS is not set\), so no Secret Service\)/,
      );
      expect(result.stdout).toMatch(/log in with --insecure-storage to keep the key in a 0600 file/);
      expect(result.stderr).not.toMatch(/warning/);
    }
    expect(await keyFiles()).toEqual([]);
    const json = jsonOf(await login(env, ['--json']));
    expect(json.apiKeyStorage).toMatchObject({ kind: 'none' });
  });

  it('--insecure-storage: a 0600 file, used after a refused token, removed by logout', async () => {
    const result = await login(env, ['--insecure-storage']);
    expect(result.code, result.stderr).toBe(0);
    const [name] = await keyFiles();
    const file = join(sandbox.home, 'config', 'testmax', 'keys', name!);
    expect(result.stdout).toContain(`The API key was saved in ${file} (mode 0600, --insecure-storage)`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(sandbox.home, 'config', 'testmax', 'keys'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      userName: DEMO_USER.userName,
      apiKey: DEMO_USER.apiKey,
    });

    const status = await sandbox.run(['status'], { env });
    expect(status.stdout).toContain(`saved in the file ${file} (insecure storage)`);

    server.revokeAllTokens();
    server.resetCalls();
    const accounts = await sandbox.run(['accounts'], { env });
    expect(accounts.code, accounts.stderr).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(1);

    const out = await sandbox.run(['logout'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`The saved API key was removed from the file ${file}`);
    expect(await keyFiles()).toEqual([]);
  });

  it('a key file readable by others is used, with a warning naming the chmod fix', async () => {
    await login(env, ['--insecure-storage']);
    const [name] = await keyFiles();
    const file = join(sandbox.home, 'config', 'testmax', 'keys', name!);
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o644);
    await expireSavedTokens();
    const result = await sandbox.run(['accounts'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`run: chmod 600 ${file}`);
  });
});

describe('profiles: bad input', () => {
  it('an unknown profile: exit 2, naming the ones there are, nothing sent', async () => {
    await sandbox.writeConfig({ profiles: { paper: {}, live: {} } } as unknown as Record<string, string>);
    const result = await sandbox.run(['api', 'Status/ping', '--profile', 'demo'], {
      env: { TESTMAX_API_URL: server.url },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /No profile "demo" \(from flag --profile\): the config file .* has "paper", "live"/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(server.calls('/Status/ping')).toBe(0);
  });

  it('a profile that names a plain http:// remote URL: exit 2, nothing sent', async () => {
    await sandbox.writeConfig({
      profiles: { remote: { api_url: 'http://sim.example.com/api', username: DEMO_USER.userName } },
    } as unknown as Record<string, string>);
    const result = await login({ TESTMAX_PROFILE: 'remote' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"api_url" of profile "remote" in .*http:\/\//);
    expect(server.calls('/Auth/loginKey')).toBe(0);
  });

  it('completion offers the profile names of the config file', async () => {
    await sandbox.writeConfig({ profiles: { paper: {}, live: {} } } as unknown as Record<string, string>);
    const result = await sandbox.run(['__profiles']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('paper\nlive\n');
  });
});
