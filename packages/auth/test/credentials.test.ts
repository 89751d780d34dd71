import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthSession as NeutralAuthSession } from '../src/index.js';
import {
  AuthSession,
  ConfigError,
  checkKeyDestination,
  loadCredentials,
  looseFileWarning,
  resolveCredentials,
} from '../src/node.js';
import { addSecret, rejectionOf, showError, showValue } from './helpers/capture.js';
import { closeServersAfterEach, DEMO_USER, mockServer } from './helpers/server.js';

closeServersAfterEach();

const KEY_ENV = 'tmx_key_from_env_000000000001';
const KEY_DOTENV = 'tmx_key_from_dotenv_0000000002';
const KEY_CONFIG = 'tmx_key_from_config_0000000003';
for (const k of [KEY_ENV, KEY_DOTENV, KEY_CONFIG]) addSecret(k);

let root: string;
let cwd: string;
let xdg: string;
let configPath: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'testmax-auth-'));
  cwd = join(root, 'project');
  xdg = join(root, 'xdg');
  configPath = join(xdg, 'testmax', 'config.json');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(xdg, 'testmax'), { recursive: true });
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function writeConfig(values: Record<string, unknown> | string, mode = 0o600, path = configPath): void {
  writeFileSync(path, typeof values === 'string' ? values : JSON.stringify(values));
  chmodSync(path, mode);
}

function writeDotenv(text: string): void {
  writeFileSync(join(cwd, '.env'), text);
}

/** Load with an isolated environment: nothing from the machine running the tests leaks in. */
function load(env: Record<string, string> = {}, extra: Parameters<typeof loadCredentials>[0] = {}) {
  const warnings: string[] = [];
  const credentials = loadCredentials({
    env: { XDG_CONFIG_HOME: xdg, HOME: join(root, 'home'), ...env },
    cwd,
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  showValue(credentials);
  return { credentials, warnings };
}

function loadError(
  env: Record<string, string> = {},
  extra: Parameters<typeof loadCredentials>[0] = {},
): ConfigError {
  try {
    load(env, extra);
  } catch (error) {
    showError(error);
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadCredentials to throw');
}

describe('loadCredentials precedence: options → env → .env → config file', () => {
  it('takes each value from the highest source that has it and says where', () => {
    writeConfig({
      username: 'config@x.com',
      api_key: KEY_CONFIG,
      account_name: 'CFG-1',
      api_url: 'https://config.example.com/api',
    });
    writeDotenv(`TESTMAX_USERNAME=dotenv@x.com\nTESTMAX_API_KEY=${KEY_DOTENV}\nTESTMAX_ACCOUNT_NAME=DOT-1\n`);
    const { credentials } = load({ TESTMAX_API_KEY: KEY_ENV }, { userName: 'option@x.com' });
    expect(credentials).toMatchObject({
      userName: 'option@x.com',
      apiKey: KEY_ENV,
      accountName: 'DOT-1',
      baseUrl: 'https://config.example.com/api',
    });
    expect(credentials.source.userName).toMatchObject({ origin: 'option', name: 'userName' });
    expect(credentials.source.apiKey).toMatchObject({ origin: 'env', name: 'TESTMAX_API_KEY' });
    expect(credentials.source.accountName).toMatchObject({ origin: 'dotenv', path: join(cwd, '.env') });
    expect(credentials.source.accountName?.description).toBe(`TESTMAX_ACCOUNT_NAME in ${join(cwd, '.env')}`);
    expect(credentials.source.baseUrl).toMatchObject({ origin: 'config', name: 'api_url', path: configPath });
    expect(credentials.searched).toEqual({ dotenvPath: join(cwd, '.env'), configPath });
  });

  it('falls through to the config file alone', () => {
    writeConfig({ username: 'config@x.com', api_key: KEY_CONFIG });
    const { credentials } = load();
    expect(credentials.userName).toBe('config@x.com');
    expect(credentials.apiKey).toBe(KEY_CONFIG);
    expect(credentials.source.apiKey.description).toBe(`"api_key" in ${configPath}`);
    expect(credentials.accountName).toBeUndefined();
  });

  it('.env never overrides the real environment and never lands in process.env', () => {
    writeDotenv(
      `TESTMAX_USERNAME=dotenv@x.com\nTESTMAX_API_KEY="${KEY_DOTENV}"\nTESTMAX_SENTINEL_FOR_TEST=1\n`,
    );
    const { credentials } = load({ TESTMAX_USERNAME: 'env@x.com' });
    expect(credentials.userName).toBe('env@x.com');
    expect(credentials.apiKey).toBe(KEY_DOTENV);
    expect(process.env.TESTMAX_SENTINEL_FOR_TEST).toBeUndefined();
    expect(process.env.TESTMAX_API_KEY).not.toBe(KEY_DOTENV);
  });

  it('treats empty values as unset', () => {
    writeConfig({ username: 'config@x.com', api_key: KEY_CONFIG });
    const { credentials } = load({ TESTMAX_USERNAME: '', TESTMAX_API_KEY: '   ' });
    expect(credentials.userName).toBe('config@x.com');
    expect(credentials.source.userName.origin).toBe('config');
  });

  it('never reads PROJECT_X_* variables, and says so when credentials are missing', () => {
    const error = loadError({ PROJECT_X_USERNAME: 'real@x.com', PROJECT_X_API_KEY: 'real-money-key-123' });
    expect(error.message).toContain('PROJECT_X_* variables are ignored');
    expect(error.message).not.toContain('real-money-key-123');
  });
});

describe('where the config file is', () => {
  it('uses $XDG_CONFIG_HOME/testmax/config.json', () => {
    writeConfig({ username: 'xdg@x.com', api_key: KEY_CONFIG });
    expect(load().credentials.source.userName.path).toBe(configPath);
  });

  it.each(['', 'relative/dir'])(
    'ignores XDG_CONFIG_HOME=%j and uses ~/.config/testmax/config.json',
    (value) => {
      const home = join(root, 'home');
      mkdirSync(join(home, '.config', 'testmax'), { recursive: true });
      const homeConfig = join(home, '.config', 'testmax', 'config.json');
      writeConfig({ username: 'home@x.com', api_key: KEY_CONFIG }, 0o600, homeConfig);
      const { credentials } = load({ XDG_CONFIG_HOME: value });
      expect(credentials.userName).toBe('home@x.com');
      expect(credentials.searched.configPath).toBe(homeConfig);
    },
  );

  it('TESTMAX_CONFIG and the configPath option override it', () => {
    const custom = join(root, 'custom.json');
    writeConfig({ username: 'custom@x.com', api_key: KEY_CONFIG }, 0o600, custom);
    expect(load({ TESTMAX_CONFIG: custom }).credentials.userName).toBe('custom@x.com');
    expect(load({}, { configPath: custom }).credentials.source.apiKey.path).toBe(custom);
  });

  it('a named config file that does not exist is an error', () => {
    const error = loadError({ TESTMAX_CONFIG: join(root, 'missing.json') });
    expect(error.message).toBe(
      `The config file ${join(root, 'missing.json')} does not exist; fix the path in TESTMAX_CONFIG or configPath.`,
    );
  });
});

describe('bad files and missing credentials', () => {
  it('malformed JSON names the file and the position but never echoes the content', () => {
    writeConfig(`{\n  "username": "a@b.c",\n  "api_key": ${KEY_CONFIG}\n}`);
    const error = loadError();
    expect(error.message).toContain(configPath);
    expect(error.message).toMatch(/is not valid JSON \(at line 3, column \d+\); fix it or remove it\./);
    expect(error.message).not.toContain(KEY_CONFIG);
  });

  it('a config that is not an object, or has a non-string value, is a ConfigError', () => {
    writeConfig('["a"]');
    expect(loadError().message).toMatch(/must hold a JSON object/);
    writeConfig({ username: 'a@b.c', api_key: 12345 });
    const error = loadError();
    expect(error.message).toContain('non-string "api_key"');
    expect(error.reason).toBe('invalid');
  });

  it('a setting spelt another way is a ConfigError naming the right key, not a silent default URL', () => {
    for (const [key, meant] of [
      ['baseUrl', 'api_url'],
      ['apiUrl', 'api_url'],
      ['userName', 'username'],
      ['apikey', 'api_key'],
      ['Account-Name', 'account_name'],
    ] as const) {
      writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG, [key]: 'http://127.0.0.1:4010' });
      const error = loadError();
      expect(error.reason).toBe('invalid');
      expect(error.message).toContain(`"${key}"`);
      expect(error.advice).toContain(`"${meant}"`);
      expect(error.message).not.toContain(KEY_CONFIG);
    }
    writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG, profiles: { local: { baseUrl: 'http://x' } } });
    expect(loadError().message).toMatch(/"baseUrl" in profile "local", which is not a setting/);
    // A key that is no setting's other spelling is left alone (a newer version may write it).
    writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG, theme: 'dark' });
    expect(load().credentials.userName).toBe('a@b.c');
  });

  it('missing credentials name the variables and every place it looked', () => {
    const error = loadError();
    expect(error.reason).toBe('missing');
    expect(error.message).toContain('TESTMAX_USERNAME and TESTMAX_API_KEY');
    expect(error.message).toContain(join(cwd, '.env'));
    expect(error.message).toContain(configPath);
  });

  it('a missing key alone is named alone', () => {
    const error = loadError({ TESTMAX_USERNAME: 'u@x.com' });
    expect(error.message).toMatch(/TESTMAX_API_KEY is not set/);
    expect(error.message).not.toContain('TESTMAX_USERNAME');
  });

  it('a plain http:// URL to a non-loopback host is refused, naming where it came from', () => {
    const error = loadError({
      TESTMAX_USERNAME: 'u@x.com',
      TESTMAX_API_KEY: KEY_ENV,
      TESTMAX_API_URL: 'http://api.example.com',
    });
    expect(error.message).toContain('environment variable TESTMAX_API_URL');
    expect(error.message).toContain('https://');
    const { credentials } = load({
      TESTMAX_USERNAME: 'u@x.com',
      TESTMAX_API_KEY: KEY_ENV,
      TESTMAX_API_URL: 'http://127.0.0.1:4010/',
    });
    expect(credentials.baseUrl).toBe('http://127.0.0.1:4010');
  });
});

describe('resolveCredentials: the chain without requirements', () => {
  const isolated = (env: Record<string, string> = {}) => ({
    env: { XDG_CONFIG_HOME: xdg, HOME: join(root, 'home'), ...env },
    cwd,
    onWarning: () => {},
  });

  it('reports what is there and leaves the rest undefined, with the files it searched', () => {
    writeDotenv('TESTMAX_USERNAME=dot@x.com\n');
    const found = resolveCredentials(isolated());
    showValue(found);
    expect(found.userName).toBe('dot@x.com');
    expect(found.source.userName?.path).toBe(join(cwd, '.env'));
    expect(found.apiKey).toBeUndefined();
    expect(found.source.apiKey).toBeUndefined();
    expect(found.searched).toEqual({ dotenvPath: join(cwd, '.env'), configPath });
    expect(() => loadCredentials(isolated())).toThrow(/TESTMAX_API_KEY is not set/);
  });

  it('still refuses a malformed config file and redacts a key it found', () => {
    writeConfig('{ "username": ');
    expect(() => resolveCredentials(isolated())).toThrow(ConfigError);
    writeConfig({ api_key: KEY_CONFIG });
    const found = resolveCredentials(isolated());
    expect(found.apiKey).toBe(KEY_CONFIG);
    expect(JSON.stringify(found)).not.toContain(KEY_CONFIG);
    expect(inspect(found)).not.toContain(KEY_CONFIG);
  });
});

describe('optionNames: messages in the terms of the tool that offers the options', () => {
  const names = { optionNames: { profile: 'flag --profile', userName: 'flag --username', configPath: null } };
  it('names an option as the tool does, and leaves out one it does not offer', () => {
    const error = loadError({ TESTMAX_CONFIG: join(root, 'missing.json') }, names);
    expect(error.summary).toBe(`The config file ${join(root, 'missing.json')} does not exist.`);
    expect(error.advice).toBe('fix the path in TESTMAX_CONFIG');
    writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG });
    const unknown = loadError({}, { ...names, profile: 'live' });
    expect(unknown.summary).toContain('No profile "live" (from flag --profile)');
    const found = resolveCredentials({
      env: { XDG_CONFIG_HOME: xdg, HOME: join(root, 'home') },
      cwd,
      onWarning: () => {},
      userName: 'me@x.com',
      ...names,
    });
    expect(found.source.userName?.description).toBe('flag --username');
  });

  it("keeps the SDK's own names by default", () => {
    writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG });
    expect(loadError({}, { profile: 'live' }).summary).toContain('(from option profile)');
    expect(loadError({ TESTMAX_CONFIG: join(root, 'missing.json') }).advice).toBe(
      'fix the path in TESTMAX_CONFIG or configPath',
    );
  });
});

describe('file permissions', () => {
  it.each([0o644, 0o640, 0o604])(
    'warns about a config file with mode %o, naming the file and chmod 600',
    (mode) => {
      writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG }, mode);
      const { warnings } = load();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(configPath);
      expect(warnings[0]).toContain(`chmod 600 ${configPath}`);
      expect(warnings[0]).not.toContain(KEY_CONFIG);
    },
  );

  it('words it as every secret file is warned about: what, where, how loose, the fix; not on Windows', () => {
    writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG }, 0o644);
    expect(load().warnings).toEqual([
      `The TestMax config file ${configPath} is readable by group and others (mode 644); run: chmod 600 ${configPath}`,
    ]);
    expect(looseFileWarning('The token file', '/t', 0o100604)).toBe(
      'The token file /t is readable by others (mode 604); run: chmod 600 /t',
    );
    expect(looseFileWarning('The token file', '/t', 0o100644, 'win32')).toBeUndefined();
    expect(looseFileWarning('The token file', '/t', 0o100600)).toBeUndefined();
  });

  it('says nothing about a 0600 file', () => {
    writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG }, 0o600);
    expect(load().warnings).toEqual([]);
  });

  it('uses process.emitWarning when no onWarning is given', () => {
    writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG }, 0o644);
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      loadCredentials({ env: { XDG_CONFIG_HOME: xdg }, cwd });
      expect(emit).toHaveBeenCalledTimes(1);
      expect(String(emit.mock.calls[0]?.[0])).toContain('chmod 600');
    } finally {
      emit.mockRestore();
    }
  });
});

describe('secrets in the result', () => {
  it('inspect and JSON.stringify redact the key; spreading keeps it usable', () => {
    writeConfig({ username: 'a@b.c', api_key: KEY_CONFIG });
    const { credentials } = load();
    expect(inspect(credentials)).not.toContain(KEY_CONFIG);
    expect(JSON.stringify(credentials)).not.toContain(KEY_CONFIG);
    expect(JSON.parse(JSON.stringify(credentials)).apiKey).toBe('[REDACTED]');
    expect({ ...credentials }.apiKey).toBe(KEY_CONFIG);
  });
});

describe('AuthSession.fromEnv (Node entry)', () => {
  it('builds a working session from the environment', async () => {
    const server = await mockServer();
    addSecret(DEMO_USER.apiKey);
    const session = AuthSession.fromEnv({
      env: {
        TESTMAX_USERNAME: DEMO_USER.userName,
        TESTMAX_API_KEY: DEMO_USER.apiKey,
        TESTMAX_API_URL: server.url,
        TESTMAX_ACCOUNT_NAME: 'PRAC-100K-03',
        XDG_CONFIG_HOME: xdg,
      },
      cwd,
      logger: false,
    });
    expect(session).toBeInstanceOf(NeutralAuthSession);
    expect(session.baseUrl).toBe(server.url);
    expect((await session.accountInfo).id).toBe(7003);
    await session.logout();
    expect(server.calls('/Auth/logout')).toBe(1);
  });

  it('options win over the environment', async () => {
    const session = AuthSession.fromEnv({
      env: { TESTMAX_USERNAME: 'env@x.com', TESTMAX_API_KEY: KEY_ENV, XDG_CONFIG_HOME: xdg },
      cwd,
      userName: 'option@x.com',
      baseUrl: 'http://localhost:9',
    });
    expect(session.userName).toBe('option@x.com');
    expect(session.baseUrl).toBe('http://localhost:9');
  });

  it('throws the ConfigError of loadCredentials when nothing is configured', async () => {
    const error = await rejectionOf(
      Promise.resolve().then(() => AuthSession.fromEnv({ env: { XDG_CONFIG_HOME: xdg }, cwd })),
    );
    expect(error).toBeInstanceOf(ConfigError);
  });
});

describe('a .env cannot send a key from elsewhere to its own server', () => {
  it('an API URL from .env with the key from the environment is refused, naming both', () => {
    writeDotenv('TESTMAX_API_URL=https://collector.example.net/api\n');
    const error = loadError({ TESTMAX_USERNAME: 'env@x.com', TESTMAX_API_KEY: KEY_ENV });
    expect(error.message).toContain(`TESTMAX_API_URL in ${join(cwd, '.env')}`);
    expect(error.message).toContain('environment variable TESTMAX_API_KEY');
    expect(error.message).toMatch(/set TESTMAX_API_URL in the environment/);
    expect(error.message).not.toContain(KEY_ENV);
  });

  it('…or from the config file, and also through a config file that .env points at', () => {
    writeConfig({ username: 'config@x.com', api_key: KEY_CONFIG });
    writeDotenv('TESTMAX_API_URL=https://collector.example.net/api\n');
    expect(loadError().message).toMatch(
      /API URL comes from TESTMAX_API_URL in .* but the API key from "api_key"/,
    );
    const planted = join(cwd, 'planted.json');
    writeConfig({ api_url: 'https://collector.example.net/api' }, 0o600, planted);
    writeDotenv('TESTMAX_CONFIG=planted.json\n');
    expect(loadError({ TESTMAX_USERNAME: 'env@x.com', TESTMAX_API_KEY: KEY_ENV }).message).toContain(
      `"api_url" in ${planted}`,
    );
  });

  it('…or through a .env that points TESTMAX_CONFIG at your own config file', () => {
    const own = join(root, 'home', '.config', 'testmax', 'config.json');
    mkdirSync(join(root, 'home', '.config', 'testmax'), { recursive: true });
    writeConfig({ username: 'config@x.com', api_key: KEY_CONFIG }, 0o600, own);
    writeDotenv(`TESTMAX_API_URL=https://collector.example.net/api\nTESTMAX_CONFIG=${own}\n`);
    expect(loadError().message).toMatch(
      /API URL comes from TESTMAX_API_URL in .* but the API key from "api_key"/,
    );
  });

  it('resolveCredentials only reports; checkKeyDestination refuses a key from anywhere else', () => {
    writeDotenv('TESTMAX_API_URL=https://collector.example.net/api\n');
    const found = resolveCredentials({ env: { TESTMAX_API_KEY: KEY_ENV, HOME: join(root, 'home') }, cwd });
    expect(found.source.baseUrl).toMatchObject({ origin: 'dotenv', fromDirectory: true });
    expect(found.source.apiKey?.fromDirectory).toBeUndefined();
    expect(() => checkKeyDestination(found)).toThrow(ConfigError);
    // A key typed at a prompt is no better.
    const noKey = resolveCredentials({ env: { HOME: join(root, 'home') }, cwd });
    expect(() => checkKeyDestination(noKey)).not.toThrow();
    expect(() => checkKeyDestination(noKey, { description: 'the key you entered' })).toThrow(
      /but the API key from the key you entered/,
    );
  });

  it('the same file choosing both, or the default URL from .env, is fine', () => {
    const shared = join(cwd, 'shared.json');
    writeConfig(
      { username: 'c@x.com', api_key: KEY_CONFIG, api_url: 'http://127.0.0.1:4010' },
      0o600,
      shared,
    );
    writeDotenv('TESTMAX_CONFIG=shared.json\n');
    expect(load().credentials.baseUrl).toBe('http://127.0.0.1:4010');
    writeDotenv('TESTMAX_API_URL=https://api.test-max.com/api/topstep-sim/\n');
    expect(load({ TESTMAX_USERNAME: 'env@x.com', TESTMAX_API_KEY: KEY_ENV }).credentials.baseUrl).toBe(
      'https://api.test-max.com/api/topstep-sim',
    );
  });

  it('a .env holding both the URL and the key is fine, as is a URL from the environment', () => {
    writeDotenv(
      `TESTMAX_USERNAME=dotenv@x.com\nTESTMAX_API_KEY=${KEY_DOTENV}\nTESTMAX_API_URL=http://127.0.0.1:4010\n`,
    );
    expect(load().credentials.baseUrl).toBe('http://127.0.0.1:4010');
    writeDotenv('TESTMAX_API_URL=https://collector.example.net/api\n');
    const { credentials } = load({
      TESTMAX_USERNAME: 'env@x.com',
      TESTMAX_API_KEY: KEY_ENV,
      TESTMAX_API_URL: 'https://api.test-max.com/api/topstep-sim',
    });
    expect(credentials.baseUrl).toBe('https://api.test-max.com/api/topstep-sim');
    // An explicit base URL (a CLI flag) wins over the .env one as well.
    expect(
      load({ TESTMAX_USERNAME: 'env@x.com', TESTMAX_API_KEY: KEY_ENV }, { baseUrl: 'http://localhost:9' })
        .credentials.baseUrl,
    ).toBe('http://localhost:9');
  });
});
