import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { DEMO_USER, type MockServer, startMockServer } from '@testmax/mock-server';
import { redisAvailable, startRedisServer } from '@testmax/test-support/redis-server';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { collected } from './support/example-harness.js';
import { examplesIn, runExample } from './support/examples.js';

// The guides' code must work as printed: each marked example runs against the real mock server,
// with credentials where a user would put them (the environment), and nothing else to find.

let server: MockServer;
let home: string;
let logged: string[];
const saved = { ...process.env };

beforeEach(async () => {
  server = await startMockServer();
  home = await mkdtemp(join(tmpdir(), 'testmax-docs-examples-'));
  for (const name of Object.keys(process.env)) if (name.startsWith('TESTMAX_')) delete process.env[name];
  // No config file of the machine running the tests may be found.
  process.env.XDG_CONFIG_HOME = home;
  process.env.HOME = home;
  logged = [];
  const capture = (...args: unknown[]) => {
    logged.push(format(...args));
  };
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  await server.close();
  await rm(home, { recursive: true, force: true });
});

function loginToMockServer(): void {
  process.env.TESTMAX_USERNAME = DEMO_USER.userName;
  process.env.TESTMAX_API_KEY = DEMO_USER.apiKey;
  process.env.TESTMAX_API_URL = server.url;
}

async function example(page: string, name: string) {
  const found = (await examplesIn(page)).get(name);
  if (!found) throw new Error(`no example "${name}" in ${page}`);
  return found;
}

describe('the home page', () => {
  test('the five lines log in, list every account and log out', async () => {
    loginToMockServer();
    await runExample(await example('index.md', 'home'));
    expect(logged).toEqual(DEMO_USER.accounts.map((a) => `${a.name} ${a.balance}`));
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(server.calls('/Auth/logout')).toBe(1); // `await using` logged out
  });
});

describe('getting started', () => {
  test('the first SDK call lists the tradable accounts and pings, then logs out', async () => {
    loginToMockServer();
    await runExample(await example('guide/getting-started.md', 'first-call'));
    const tradable = DEMO_USER.accounts.filter((a) => a.canTrade).map((a) => `${a.name}: ${a.balance} USD`);
    expect(logged).toEqual([...tradable, 'ping: true']);
    expect(server.calls('/Auth/logout')).toBe(1); // `await using` logged out
  });

  test('the plain JavaScript variant logs out in finally', async () => {
    loginToMockServer();
    await runExample(await example('guide/getting-started.md', 'plain-js'));
    expect(logged.join('\n')).toContain(DEMO_USER.accounts[0]!.name);
    expect(server.calls('/Auth/logout')).toBe(1);
  });
});

describe('credentials', () => {
  test('loadCredentials says where the key came from and never prints it', async () => {
    loginToMockServer();
    await runExample(await example('guide/credentials.md', 'load-credentials'));
    expect(logged[0]).toBe('environment variable TESTMAX_API_KEY');
    expect(logged.join('\n')).not.toContain(DEMO_USER.apiKey);
  });

  test('a profile of the config file gives the session its settings', async () => {
    await mkdir(join(home, 'testmax'), { recursive: true });
    await writeFile(
      join(home, 'testmax', 'config.json'),
      JSON.stringify({
        username: 'someone-else@example.com',
        api_key: 'tmx_not_this_one_000000000000000',
        profiles: { sim: { username: DEMO_USER.userName, api_key: DEMO_USER.apiKey, api_url: server.url } },
      }),
      { mode: 0o600 },
    );
    process.env.TESTMAX_PROFILE = 'sim';
    await runExample(await example('guide/credentials.md', 'profile'));
    expect(logged).toEqual([`sim ${server.url}`]);
  });
});

describe('errors', () => {
  test('the error-handling example prints the accounts when logged in', async () => {
    loginToMockServer();
    await runExample(await example('guide/errors.md', 'handling-errors'));
    expect(logged.join('\n')).toContain(DEMO_USER.accounts[0]!.name);
  });

  test('the error-handling example takes the ConfigError branch without credentials', async () => {
    await runExample(await example('guide/errors.md', 'handling-errors'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^Set up credentials first: No TestMax credentials found/);
  });

  test('the error-handling example takes the AuthenticationError branch for a wrong key', async () => {
    loginToMockServer();
    process.env.TESTMAX_API_KEY = 'not-the-key';
    await runExample(await example('guide/errors.md', 'handling-errors'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^Login refused \(INVALID_CREDENTIALS\)/);
    expect(logged[0]).not.toContain('not-the-key');
  });
});

describe('testing with the mock server', () => {
  test('the example tests pass', async () => {
    collected.length = 0;
    await runExample(await example('guide/testing-with-mock-server.md', 'testing-guide'));
    expect(collected.map((t) => t.name)).toEqual([
      'my bot lists the accounts it can trade with',
      'my bot survives a rate limit',
    ]);
    for (const { body } of collected) await body();
  });
});

describe('running a fleet', () => {
  test('three bots on one machine share one login through the file store', async () => {
    loginToMockServer();
    await runExample(await example('guide/fleet.md', 'fleet-one-machine'));
    const account = DEMO_USER.accounts.find((a) => a.canTrade)!.name;
    expect(logged).toEqual(['ES', 'NQ', 'CL'].map((bot) => `${bot}: trading on ${account}`));
    expect(server.calls('/Auth/loginKey')).toBe(1);
    // Disposing a session that shares a store leaves the token to the fleet.
    expect(server.calls('/Auth/logout')).toBe(0);
  });

  test.runIf(redisAvailable())('a bot on Redis: one token and one rate budget for the fleet', async () => {
    await using redis = await startRedisServer();
    loginToMockServer();
    process.env.REDIS_URL = redis.url;
    await runExample(await example('guide/fleet.md', 'fleet-redis'));
    await runExample(await example('guide/fleet.md', 'fleet-redis'));
    const active = DEMO_USER.accounts.filter((a) => a.canTrade).length;
    expect(logged).toEqual([`${active} active accounts`, `${active} active accounts`]);
    // The second bot found the first one's token in Redis: one login between them (the first
    // one's dispose only detached, the token stayed for the fleet).
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });
});
