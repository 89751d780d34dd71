import {
  type SecretService,
  secretServiceAvailable,
  startSecretService,
  startSilentBus,
} from '@testmax/test-support/secret-service';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf } from './helpers.js';
import { readKeychainEntry } from './keychain-helpers.js';
import { PAPER_USER, useSavedKeyFixture } from './saved-key-fixture.js';
import { DEMO_USER } from './server.js';

// `testmax login` keeps the API key in the OS keychain, a real Secret Service here (Debian's
// gnome-keyring on a private bus), where the next command finds it when the token expires;
// a keychain that is locked or hangs is survived. The slow suite: each test starts daemons and
// runs a dozen commands. The cases without a keychain are in saved-key.test.ts.

const fixture = useSavedKeyFixture();
const { login, expireSavedTokens, keyFiles } = fixture;
const SERVICE = fixture.service;

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
      TESTMAX_API_URL: fixture.server.url,
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

    const status = await fixture.sandbox.run(['status'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/API key\s+saved in the Secret Service keyring/);
    const statusJson = jsonOf(await fixture.sandbox.run(['status', '--json'], { env })) as {
      apiKey: { configured: boolean; saved: { kind: string } };
    };
    expect(statusJson.apiKey).toMatchObject({ configured: true, saved: { kind: 'keychain' } });

    // Expired: the next command logs in by itself with the saved key.
    fixture.server.resetCalls();
    await expireSavedTokens();
    const accounts = await fixture.sandbox.run(['accounts'], { env });
    expect(accounts.code, accounts.stderr).toBe(0);
    expect(fixture.server.calls('/Auth/loginKey')).toBe(1);
    await expireSavedTokens();
    const token = await fixture.sandbox.run(['token'], { env });
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(fixture.server.calls('/Auth/loginKey')).toBe(2);
    await expireSavedTokens();
    const validate = await fixture.sandbox.run(['validate'], { env });
    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toMatch(/logged in with the key saved in the Secret Service keyring/);
    expect(fixture.server.calls('/Auth/loginKey')).toBe(3);

    // Refused (revoked on the server): one login with the saved key, the call retried once.
    fixture.server.revokeAllTokens();
    fixture.server.resetCalls();
    const api = await fixture.sandbox.run(['api', 'Account/search'], { env });
    expect(api.code, api.stderr).toBe(0);
    expect(fixture.server.calls('/Auth/loginKey')).toBe(1);
    expect(fixture.server.calls('/Account/search')).toBe(2);

    const loggedOut = await fixture.sandbox.run(['logout'], { env });
    expect(loggedOut.code, loggedOut.stderr).toBe(0);
    expect(loggedOut.stdout).toMatch(/The saved API key was removed from the Secret Service keyring/);
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBeNull();
    const after = await fixture.sandbox.run(['accounts'], {
      env: { ...env, TESTMAX_USERNAME: DEMO_USER.userName },
    });
    expect(after.code).toBe(4);
  });

  it('each profile has its own token and keychain entry; logout of one leaves the other', async () => {
    await fixture.sandbox.writeConfig({
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
    expect(await fixture.sandbox.sessions()).toHaveLength(2);

    const status = await fixture.sandbox.run(['status', '--profile', 'paper'], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Profile\s+paper \(flag --profile\)/);
    expect(status.stdout).toMatch(/User\s+paper@testmax\.local/);
    const viaEnv = jsonOf(
      await fixture.sandbox.run(['status', '--json'], { env: { ...env, TESTMAX_PROFILE: 'paper' } }),
    );
    expect(viaEnv.profile).toEqual({ value: 'paper', source: 'environment variable TESTMAX_PROFILE' });

    const out = await fixture.sandbox.run(['logout', '--profile', 'paper'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(readKeychainEntry(service.env, `${SERVICE()} profile paper`, PAPER_USER.userName)).toBeNull();
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBe(DEMO_USER.apiKey);
    const stillIn = await fixture.sandbox.run(['status'], { env });
    expect(stillIn.code, stillIn.stderr).toBe(0);
    await fixture.sandbox.run(['logout'], { env });
    expect(readKeychainEntry(service.env, SERVICE(), DEMO_USER.userName)).toBeNull();
  });

  it('a key from the environment is not saved again; --insecure-storage moves it to a file', async () => {
    const fromEnv = await fixture.sandbox.run(['login'], {
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
    await fixture.sandbox.run(['logout'], { env });
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
          TESTMAX_API_URL: fixture.server.url,
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
        const after = await fixture.sandbox.run(['accounts'], { env });
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
