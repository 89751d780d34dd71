import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthSession,
  ConfigError,
  checkKeyDestination,
  type LoadCredentialsOptions,
  loadCredentials,
  profileNames,
  resolveCredentials,
} from '../src/node.js';
import { addSecret, showError, showValue } from './helpers/capture.js';
import { closeServersAfterEach, DEMO_USER, mockServer } from './helpers/server.js';

closeServersAfterEach();

const KEY_TOP = 'tmx_key_top_level_0000000000001';
const KEY_PAPER = 'tmx_key_profile_paper_00000002';
const KEY_ENV = 'tmx_key_from_env_0000000000003';
for (const key of [KEY_TOP, KEY_PAPER, KEY_ENV]) addSecret(key);

let root: string;
let cwd: string;
let xdg: string;
let configPath: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'testmax-profiles-'));
  cwd = join(root, 'project');
  xdg = join(root, 'xdg');
  configPath = join(xdg, 'testmax', 'config.json');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(xdg, 'testmax'), { recursive: true });
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function writeConfig(values: Record<string, unknown>): void {
  writeFileSync(configPath, JSON.stringify(values));
  chmodSync(configPath, 0o600);
}

const CONFIG = {
  username: 'me@example.com',
  api_key: KEY_TOP,
  api_url: 'https://api.test-max.com/api/topstep-sim',
  account_name: 'SIM-50K-01',
  profiles: {
    paper: { api_key: KEY_PAPER, account_name: 'PRAC-100K-03' },
    local: { username: 'demo@testmax.local', api_url: 'http://127.0.0.1:4010' },
  },
};

function load(env: Record<string, string> = {}, extra: LoadCredentialsOptions = {}) {
  const warnings: string[] = [];
  const credentials = loadCredentials({
    env: { XDG_CONFIG_HOME: xdg, HOME: join(root, 'home'), ...env },
    cwd,
    onWarning: (warning) => warnings.push(warning),
    ...extra,
  });
  showValue(credentials);
  return { credentials, warnings };
}

function loadError(env: Record<string, string> = {}, extra: LoadCredentialsOptions = {}): ConfigError {
  try {
    load(env, extra);
  } catch (error) {
    showError(error);
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadCredentials to throw');
}

describe('profiles: profiles.NAME overrides the config file top level', () => {
  it('without a profile, the top level; with one, its keys win and the rest comes from the top', () => {
    writeConfig(CONFIG);
    expect(load().credentials).toMatchObject({ apiKey: KEY_TOP, accountName: 'SIM-50K-01' });
    expect(load().credentials.profile).toBeUndefined();

    const { credentials } = load({}, { profile: 'paper' });
    expect(credentials).toMatchObject({
      userName: 'me@example.com',
      apiKey: KEY_PAPER,
      accountName: 'PRAC-100K-03',
      baseUrl: 'https://api.test-max.com/api/topstep-sim',
      profile: 'paper',
    });
    expect(credentials.source.apiKey.description).toBe(`"api_key" of profile "paper" in ${configPath}`);
    expect(credentials.source.userName.description).toBe(`"username" in ${configPath}`);
    expect(credentials.source.profile?.description).toBe('option profile');
  });

  it('TESTMAX_PROFILE selects it too, from the environment, else from .env; the option wins', () => {
    writeConfig(CONFIG);
    expect(load({ TESTMAX_PROFILE: 'local' }).credentials).toMatchObject({
      userName: 'demo@testmax.local',
      baseUrl: 'http://127.0.0.1:4010',
      profile: 'local',
    });
    writeFileSync(join(cwd, '.env'), 'TESTMAX_PROFILE=paper\n');
    expect(load().credentials.profile).toBe('paper');
    expect(load({ TESTMAX_PROFILE: 'local' }).credentials.profile).toBe('local');
    expect(load({ TESTMAX_PROFILE: 'local' }, { profile: 'paper' }).credentials.profile).toBe('paper');
  });

  it('the environment still comes before the config file, and a hidden profile setting is warned about', () => {
    writeConfig(CONFIG);
    const { credentials, warnings } = load({ TESTMAX_API_KEY: KEY_ENV }, { profile: 'paper' });
    expect(credentials.apiKey).toBe(KEY_ENV);
    expect(warnings).toEqual([
      'profile "paper" sets "api_key", but environment variable TESTMAX_API_KEY overrides it (the environment and .env come before the config file)',
    ]);
    // An explicit option is the caller's choice: no warning.
    expect(load({}, { profile: 'paper', apiKey: KEY_ENV }).warnings).toEqual([]);
  });

  it('AuthSession.fromEnv({ profile }) logs in with the profile', async () => {
    const server = await mockServer();
    addSecret(DEMO_USER.apiKey);
    writeConfig({
      username: 'someone-else@example.com',
      api_key: KEY_TOP,
      profiles: { sim: { username: DEMO_USER.userName, api_key: DEMO_USER.apiKey, api_url: server.url } },
    });
    const session = AuthSession.fromEnv({
      env: { XDG_CONFIG_HOME: xdg },
      cwd,
      profile: 'sim',
      logger: false,
    });
    expect(session.profile).toBe('sim');
    expect(session.baseUrl).toBe(server.url);
    expect(session.userName).toBe(DEMO_USER.userName);
    await session.authenticate();
    expect(server.calls('/Auth/loginKey')).toBe(1);
    await session.logout();
  });

  it('profileNames lists the profiles, and nothing for a missing or malformed file', () => {
    const env = { XDG_CONFIG_HOME: xdg, HOME: join(root, 'home') };
    expect(profileNames({ env, cwd })).toEqual([]);
    writeConfig(CONFIG);
    expect(profileNames({ env, cwd })).toEqual(['paper', 'local']);
    writeFileSync(configPath, '{ not json');
    expect(profileNames({ env, cwd })).toEqual([]);
  });
});

describe('profiles: bad input is a ConfigError that names it', () => {
  it('an unknown profile lists the ones there are', () => {
    writeConfig(CONFIG);
    const error = loadError({ TESTMAX_PROFILE: 'live' });
    expect(error.message).toBe(
      `No profile "live" (from environment variable TESTMAX_PROFILE): the config file ${configPath} has "paper", "local"; add it under "profiles" in the config file, or select another.`,
    );
    expect(error.reason).toBe('invalid');
  });

  it('a profile with no config file, or a file without profiles', () => {
    expect(loadError({}, { profile: 'paper' }).message).toMatch(
      `No profile "paper" (from option profile): there is no config file ${configPath}`,
    );
    writeConfig({ username: 'me@example.com' });
    expect(loadError({}, { profile: 'paper' }).message).toMatch(
      `the config file ${configPath} has no profiles`,
    );
    // A name that is a property of every object is not a profile.
    expect(loadError({}, { profile: 'constructor' }).message).toMatch(/No profile "constructor"/);
  });

  it('a profile that names a plain http:// remote URL, even where the environment overrides it', () => {
    writeConfig({ ...CONFIG, profiles: { remote: { api_url: 'http://sim.example.com/api' } } });
    for (const env of [{}, { TESTMAX_API_URL: 'https://api.test-max.com/api/topstep-sim' }] as Record<
      string,
      string
    >[]) {
      const error = loadError(env, { profile: 'remote' });
      expect(error.message).toMatch(`"api_url" of profile "remote" in ${configPath}`);
      expect(error.message).toMatch(/http:\/\//);
    }
  });

  it('an invalid profile name, in the option, the environment or the file, is not repeated', () => {
    writeConfig(CONFIG);
    const secretish = KEY_ENV;
    // A key pasted into TESTMAX_PROFILE is a valid name, but no profile: not repeated either.
    const pasted = loadError({ TESTMAX_PROFILE: secretish });
    expect(pasted.message).toMatch(/No profile \(a name of 30 characters, not repeated here/);
    expect(pasted.message).not.toContain(secretish);
    expect(loadError({ TESTMAX_PROFILE: `${secretish}!` }).message).toMatch(
      /The profile name from environment variable TESTMAX_PROFILE is not a valid one/,
    );
    expect(loadError({}, { profile: '../etc' }).message).toMatch(/from option profile is not a valid one/);
    writeConfig({ profiles: { [secretish.replace(/_/g, ' ')]: {} } });
    expect(loadError({}).message).toMatch(/has a profile with an invalid name/);
    writeConfig({ profiles: { paper: 'not an object' } });
    expect(loadError({}).message).toMatch(/profile "paper" that is not an object/);
    writeConfig({ profiles: { paper: { api_key: 42 } } });
    expect(loadError({}).message).toMatch(/non-string "api_key" in profile "paper"/);
    writeConfig({ profiles: [] });
    expect(loadError({}).message).toMatch(/"profiles" that is not an object/);
  });

  it('a profile a directory .env selected counts as the directory choosing the URL', () => {
    writeConfig({
      ...CONFIG,
      profiles: { elsewhere: { api_url: 'https://attacker.example/api' } },
    });
    writeFileSync(join(cwd, '.env'), 'TESTMAX_PROFILE=elsewhere\n');
    const resolved = resolveCredentials({
      env: { XDG_CONFIG_HOME: xdg, TESTMAX_API_KEY: KEY_ENV },
      cwd,
      onWarning: () => {},
    });
    expect(resolved.baseUrl).toBe('https://attacker.example/api');
    expect(() => checkKeyDestination(resolved)).toThrow(/so that file would decide where your key is sent/);
  });
});
