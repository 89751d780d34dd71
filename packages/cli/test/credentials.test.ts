import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasControlCharacters, jsonOf, Sandbox } from './helpers.js';
import { deadUrl, type MockServer, type MockUser, startServer } from './server.js';

// One user per layer of the chain, each with its own key: a login only succeeds when the
// user name and key were taken from the same, expected layer.
const users: Record<'flag' | 'env' | 'dotenv' | 'config', MockUser> = {
  flag: { userName: 'flag@testmax.local', apiKey: 'tmx_key_of_flag_user_111111' },
  env: { userName: 'env@testmax.local', apiKey: 'tmx_key_of_env_user_222222' },
  dotenv: { userName: 'dotenv@testmax.local', apiKey: 'tmx_key_of_dotenv_user_333333' },
  config: { userName: 'config@testmax.local', apiKey: 'tmx_key_of_config_user_444444' },
};

let server: MockServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startServer({ users: Object.values(users) });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  sandbox = await Sandbox.create();
  for (const user of Object.values(users)) sandbox.secret(user.apiKey);
});
afterEach(async () => {
  await sandbox.dispose();
});

const envLayer = () => ({ TESTMAX_USERNAME: users.env.userName, TESTMAX_API_KEY: users.env.apiKey });
const dotenvLayer = () =>
  `TESTMAX_USERNAME=${users.dotenv.userName}\nTESTMAX_API_KEY="${users.dotenv.apiKey}"\nTESTMAX_API_URL=${server.url}\n`;
const configLayer = () => ({
  username: users.config.userName,
  api_key: users.config.apiKey,
  api_url: server.url,
});

async function statusJson(env: Record<string, string> = {}, args: string[] = []) {
  const result = await sandbox.run(['status', '--json', ...args], { env });
  return jsonOf(result) as {
    baseUrl: { value: string; source: string };
    userName: { value: string; source: string } | null;
    apiKey: { configured: boolean; source: string | null };
  };
}

describe('credentials precedence: flags → env → .env → config', () => {
  it('each layer wins over the ones below it, for user name and key alike', async () => {
    await sandbox.writeConfig(configLayer());
    await sandbox.writeDotEnv(dotenvLayer());

    // All three file/env layers present: the environment wins (and .env never overrides it).
    let doc = await statusJson({ ...envLayer(), TESTMAX_API_URL: server.url });
    expect(doc.userName).toEqual({
      value: users.env.userName,
      source: 'environment variable TESTMAX_USERNAME',
    });
    expect(doc.apiKey).toEqual({
      configured: true,
      source: 'environment variable TESTMAX_API_KEY',
      saved: null,
    });
    // The URL comes from the environment too: a .env may not pick the server for a key that
    // comes from elsewhere (see failures.test.ts).
    let token = await sandbox.run(['token'], { env: { ...envLayer(), TESTMAX_API_URL: server.url } });
    expect(token.code, token.stderr).toBe(0);
    expect((await sandbox.sessions()).map((s) => s.body.userName)).toEqual([users.env.userName]);

    // Without the environment: .env.
    doc = await statusJson();
    const dotenvPath = join(sandbox.cwd, '.env');
    expect(doc.userName).toEqual({
      value: users.dotenv.userName,
      source: `TESTMAX_USERNAME in ${dotenvPath}`,
    });
    expect(doc.apiKey.source).toBe(`TESTMAX_API_KEY in ${dotenvPath}`);
    expect(doc.baseUrl).toEqual({ value: server.url, source: `TESTMAX_API_URL in ${dotenvPath}` });
    token = await sandbox.run(['token']);
    expect(token.code, token.stderr).toBe(0);

    // Without .env: the config file.
    await writeFile(dotenvPath, '');
    doc = await statusJson();
    expect(doc.userName).toEqual({
      value: users.config.userName,
      source: `"username" in ${sandbox.configFile}`,
    });
    expect(doc.apiKey.source).toBe(`"api_key" in ${sandbox.configFile}`);
    expect(doc.baseUrl.source).toBe(`"api_url" in ${sandbox.configFile}`);
    token = await sandbox.run(['token']);
    expect(token.code, token.stderr).toBe(0);
    expect((await sandbox.sessions()).map((s) => s.body.userName).sort()).toEqual(
      [users.config.userName, users.dotenv.userName, users.env.userName].sort(),
    );
  });

  it('flags beat everything: --username with a key on stdin, --base-url over TESTMAX_API_URL', async () => {
    await sandbox.writeConfig(configLayer());
    const dead = await deadUrl();
    const result = await sandbox.run(
      ['login', '--base-url', server.url, '--username', users.flag.userName, '--api-key-stdin'],
      { stdin: users.flag.apiKey, env: { ...envLayer(), TESTMAX_API_URL: dead, TESTMAX_RETRIES: '0' } },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`as ${users.flag.userName}`);
    const doc = await statusJson({ TESTMAX_API_URL: dead }, ['--base-url', server.url]);
    expect(doc.baseUrl).toEqual({ value: server.url, source: 'flag --base-url' });
  });

  it('a login with the config-file key says where the key came from', async () => {
    await sandbox.writeConfig(configLayer());
    const result = await sandbox.run(['login']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Using the API key from "api_key" in ${sandbox.configFile}`);
    expect(result.stdout).toContain(`as ${users.config.userName}`);
  });

  it('TESTMAX_CONFIG names another config file', async () => {
    const path = join(sandbox.home, 'elsewhere.json');
    await writeFile(path, JSON.stringify(configLayer()), { mode: 0o600 });
    const doc = await statusJson({ TESTMAX_CONFIG: path });
    expect(doc.userName?.source).toBe(`"username" in ${path}`);
  });

  it("a TESTMAX_CONFIG naming no file: exit 2, in the CLI's terms (no SDK option names)", async () => {
    const path = join(sandbox.home, 'missing.json');
    const result = await sandbox.run(['status'], { env: { TESTMAX_CONFIG: path } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path} does not exist`);
    expect(result.stderr).toContain('TESTMAX_CONFIG');
    expect(result.stderr).not.toContain('configPath');
  });

  it('a path from the environment cannot put escape sequences on the terminal', async () => {
    const path = join(sandbox.home, 'x\u001b]0;pwned\u0007\u001b[2J.json');
    const result = await sandbox.run(['status'], { env: { TESTMAX_CONFIG: path } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('does not exist');
    expect(hasControlCharacters(result.stderr)).toBe(false);
  });

  it('PROJECT_X_* variables (the real-money gateway) are never used', async () => {
    const logins = server.calls('/Auth/loginKey');
    const result = await sandbox.run(['token'], {
      env: {
        TESTMAX_API_URL: server.url,
        PROJECT_X_USERNAME: users.env.userName,
        PROJECT_X_API_KEY: users.env.apiKey,
      },
    });
    expect(result.code).toBe(4);
    expect(server.calls('/Auth/loginKey')).toBe(logins);
    expect(await sandbox.sessions()).toHaveLength(0);
  });
});

describe('config file problems', () => {
  it('a config file readable by others works but warns, naming the file and the chmod fix', async () => {
    await sandbox.writeConfig(configLayer(), 0o644);
    const result = await sandbox.run(['token']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('warning:');
    expect(result.stderr).toContain(`chmod 600 ${sandbox.configFile}`);
    // The warning goes to stderr only: stdout is still just the token.
    expect(result.stdout.trim().split('.')).toHaveLength(3);
    // Exactly one warning, although the chain is read more than once.
    expect(result.stderr.match(/chmod 600/g)).toHaveLength(1);
  });

  it('a malformed config file: exit 2 (a setting to fix, not a login), the file named, its content never quoted', async () => {
    await sandbox.writeConfig({});
    await writeFile(sandbox.configFile, `{"username": "x", "api_key": "${users.config.apiKey}",`, {
      mode: 0o600,
    });
    const result = await sandbox.run(['status'], { env: { TESTMAX_API_URL: server.url } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(sandbox.configFile);
    expect(result.stderr).toContain('not valid JSON');
    const json = await sandbox.run(['status', '--json'], { env: { TESTMAX_API_URL: server.url } });
    expect(jsonOf(json)).toMatchObject({ ok: false, error: { code: 'usage', exitCode: 2 } });
  });

  it('a plain http:// base URL to a non-loopback host is refused as a usage error', async () => {
    const result = await sandbox.run(['ping', '--base-url', 'http://api.example.com']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('https://');
  });

  it('nothing configured: login without a terminal names the user name and the key, and where each can come from, in one message', async () => {
    const result = await sandbox.run(['login'], { env: { TESTMAX_API_URL: server.url } });
    expect(result.code).toBe(4);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const [line] = lines as [string];
    expect(line).toMatch(/^error: No user name and no API key to log in with, and no terminal to ask on\. /);
    const dotenv = join(sandbox.cwd, '.env');
    for (const source of [
      '--username <email>',
      'TESTMAX_USERNAME',
      `"username" in ${sandbox.configFile}`,
      '--api-key-stdin',
      'TESTMAX_API_KEY',
      `"api_key" in ${sandbox.configFile}`,
      dotenv,
    ]) {
      expect(line).toContain(source);
    }
    // The same, as one JSON document: what is missing in the message, where to put it in the hint.
    const json = jsonOf(await sandbox.run(['login', '--json'], { env: { TESTMAX_API_URL: server.url } }));
    expect(json).toMatchObject({
      ok: false,
      error: {
        code: 'not_logged_in',
        message: 'No user name and no API key to log in with, and no terminal to ask on.',
        hint: expect.stringMatching(
          /^Give the user name: --username <email>, .*; the API key: piped to --api-key-stdin, /,
        ),
      },
    });
  });

  it('only the key configured: login names the user name alone as missing', async () => {
    const result = await sandbox.run(['login'], {
      env: { TESTMAX_API_URL: server.url, TESTMAX_API_KEY: users.env.apiKey },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /^error: No user name to log in with, and no terminal to ask on\. Give the user name: /,
    );
    expect(result.stderr).not.toContain('API key:');
  });

  it('a user name but no key and no terminal: exit 4 with the stdin recipe', async () => {
    const result = await sandbox.run(['login', '--username', users.env.userName], {
      env: { TESTMAX_API_URL: server.url },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      /^error: No API key to log in with, and no terminal to ask on\. Give the API key: piped to --api-key-stdin, /,
    );
    expect(result.stderr).not.toContain('user name:');
  });
});

describe("a directory's .env cannot send a key from elsewhere to its own server", () => {
  it('key from the environment, URL from .env: exit 2 naming both, and the key is never sent', async () => {
    await sandbox.writeDotEnv(`TESTMAX_API_URL=${server.url}\n`);
    server.resetCalls();
    const result = await sandbox.run(['token'], { env: envLayer() });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /^error: The API URL comes from TESTMAX_API_URL in .*\.env but the API key from environment variable TESTMAX_API_KEY/m,
    );
    expect(
      result.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:')),
    ).toHaveLength(1);
    expect(server.calls('/Auth/loginKey')).toBe(0);
  });

  it('a key piped to login counts as "from elsewhere" too; --base-url settles it', async () => {
    await sandbox.writeDotEnv(`TESTMAX_API_URL=${server.url}\n`);
    server.resetCalls();
    const refused = await sandbox.run(['login', '--username', users.flag.userName, '--api-key-stdin'], {
      stdin: users.flag.apiKey,
    });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain('the key you gave testmax login');
    expect(server.calls('/Auth/loginKey')).toBe(0);
    const allowed = await sandbox.run(
      ['login', '--base-url', server.url, '--username', users.flag.userName, '--api-key-stdin'],
      { stdin: users.flag.apiKey },
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('commands that send no key still use the .env URL', async () => {
    await sandbox.writeDotEnv(`TESTMAX_API_URL=${server.url}\n`);
    server.resetCalls();
    const ping = await sandbox.run(['ping'], { env: envLayer() });
    expect(ping.code, ping.stderr).toBe(0);
    expect(server.calls('/Status/ping')).toBe(1);
  });
});
