import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonOf } from './helpers.js';
import { useSavedKeyFixture } from './saved-key-fixture.js';
import { DEMO_USER } from './server.js';

// `testmax login` without an OS keychain (a server, a container): nothing stored and said so,
// or a 0600 file with --insecure-storage; and profiles' bad input. With a real Secret Service:
// saved-key.slow.test.ts.

const fixture = useSavedKeyFixture();
const { login, expireSavedTokens, keyFiles } = fixture;

describe('without a keychain (no D-Bus session)', () => {
  let env: Record<string, string>;
  beforeEach(() => {
    env = { TESTMAX_API_URL: fixture.server.url, TESTMAX_KEYCHAIN: '' };
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
    const file = join(fixture.sandbox.home, 'config', 'testmax', 'keys', name!);
    expect(result.stdout).toContain(`The API key was saved in ${file} (mode 0600, --insecure-storage)`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(fixture.sandbox.home, 'config', 'testmax', 'keys'))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      userName: DEMO_USER.userName,
      apiKey: DEMO_USER.apiKey,
    });

    const status = await fixture.sandbox.run(['status'], { env });
    expect(status.stdout).toContain(`saved in the file ${file} (insecure storage)`);

    fixture.server.revokeAllTokens();
    fixture.server.resetCalls();
    const accounts = await fixture.sandbox.run(['accounts'], { env });
    expect(accounts.code, accounts.stderr).toBe(0);
    expect(fixture.server.calls('/Auth/loginKey')).toBe(1);

    const out = await fixture.sandbox.run(['logout'], { env });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`The saved API key was removed from the file ${file}`);
    expect(await keyFiles()).toEqual([]);
  });

  it('a key file readable by others is used, with a warning naming the chmod fix', async () => {
    await login(env, ['--insecure-storage']);
    const [name] = await keyFiles();
    const file = join(fixture.sandbox.home, 'config', 'testmax', 'keys', name!);
    const { chmod } = await import('node:fs/promises');
    await chmod(file, 0o644);
    await expireSavedTokens();
    const result = await fixture.sandbox.run(['accounts'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `the API key file ${file} is readable by group and others (mode 644); run: chmod 600 ${file}`,
    );
  });
});

describe('profiles: bad input', () => {
  it('an unknown profile: exit 2, naming the ones there are, nothing sent', async () => {
    await fixture.sandbox.writeConfig({ profiles: { paper: {}, live: {} } } as unknown as Record<
      string,
      string
    >);
    const result = await fixture.sandbox.run(['api', 'Status/ping', '--profile', 'demo'], {
      env: { TESTMAX_API_URL: fixture.server.url },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /No profile "demo" \(from flag --profile\): the config file .* has "paper", "live"/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(fixture.server.calls('/Status/ping')).toBe(0);
  });

  it('a profile that names a plain http:// remote URL: exit 2, nothing sent', async () => {
    await fixture.sandbox.writeConfig({
      profiles: { remote: { api_url: 'http://sim.example.com/api', username: DEMO_USER.userName } },
    } as unknown as Record<string, string>);
    const result = await login({ TESTMAX_PROFILE: 'remote' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"api_url" of profile "remote" in .*http:\/\//);
    expect(fixture.server.calls('/Auth/loginKey')).toBe(0);
  });

  it('completion offers the profile names of the config file', async () => {
    await fixture.sandbox.writeConfig({ profiles: { paper: {}, live: {} } } as unknown as Record<
      string,
      string
    >);
    const result = await fixture.sandbox.run(['__profiles']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('paper\nlive\n');
  });
});
