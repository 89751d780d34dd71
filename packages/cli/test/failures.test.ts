import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, type RunResult, Sandbox } from './helpers.js';
import { DEMO_USER, deadUrl, type MockServer, startServer } from './server.js';

let server: MockServer;
let sandbox: Sandbox;

const disabled = {
  userName: 'disabled@testmax.local',
  apiKey: 'tmx_disabled_user_key_555555',
  disabled: true,
};
const unsubscribed = {
  userName: 'basic@testmax.local',
  apiKey: 'tmx_unsubscribed_key_666666',
  subscribed: false,
};

beforeAll(async () => {
  server = await startServer({ users: [DEMO_USER, disabled, unsubscribed] });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  sandbox = await Sandbox.create();
  for (const key of [DEMO_USER.apiKey, disabled.apiKey, unsubscribed.apiKey]) sandbox.secret(key);
  server.clearFaults();
  server.resetCalls();
});
afterEach(async () => {
  await sandbox.dispose();
});

// Few, quick retries: the behaviour is the same, the tests just do not sleep for long.
const fast = () => ({ TESTMAX_API_URL: server.url, TESTMAX_RETRIES: '2' });
const credentials = { TESTMAX_USERNAME: DEMO_USER.userName, TESTMAX_API_KEY: DEMO_USER.apiKey };

function loginAs(
  user: { userName: string },
  key: string,
  env: Record<string, string> = fast(),
  extra: string[] = [],
) {
  return sandbox.run(['login', ...extra, '--username', user.userName, '--api-key-stdin'], {
    stdin: key,
    env,
  });
}

/** In --json mode the single stdout document mirrors the exit code. */
function expectJsonError(result: RunResult, exitCode: number, code: string) {
  expect(result.code).toBe(exitCode);
  expect(jsonOf(result)).toMatchObject({ ok: false, error: { exitCode, code } });
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

describe('authentication failures exit 3', () => {
  it('a wrong key: one line naming the problem, no stack trace, nothing saved', async () => {
    const wrong = sandbox.secret('tmx_this_key_is_wrong_777777');
    const result = await loginAs(DEMO_USER, wrong);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: .*[Ii]nvalid credentials/);
    expect(result.stderr).not.toContain('    at ');
    expect(await sandbox.sessions()).toHaveLength(0);
    // Invalid credentials are never retried.
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('a wrong key in --json mode', async () => {
    const wrong = sandbox.secret('tmx_this_key_is_wrong_888888');
    expectJsonError(await loginAs(DEMO_USER, wrong, fast(), ['--json']), 3, 'auth_failed');
  });

  it('a disabled account', async () => {
    const result = await loginAs(disabled, disabled.apiKey);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/disabled/i);
  });

  it('an account without the Pro subscription', async () => {
    const result = await loginAs(unsubscribed, unsubscribed.apiKey);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/subscription/i);
  });

  it('a bad token answered as HTTP 200 with success:false (the other 401 style) is detected too', async () => {
    const bodyStyle = await startServer({ unauthorizedStyle: 'body' });
    try {
      const env = { TESTMAX_API_URL: bodyStyle.url };
      expect((await loginAs(DEMO_USER, DEMO_USER.apiKey, env)).code).toBe(0);
      bodyStyle.revokeAllTokens();
      expect((await sandbox.run(['validate'], { env })).code).toBe(3);
      expect((await loginAs(DEMO_USER, DEMO_USER.apiKey, env)).code).toBe(0);
      bodyStyle.revokeAllTokens();
      const token = await sandbox.run(['token'], { env: { ...env, ...credentials } });
      expect(token.code).toBe(0);
      expect(bodyStyle.calls('/Auth/loginKey')).toBe(3);
    } finally {
      await bodyStyle.close();
    }
  });
});

describe('usage and input errors', () => {
  it('--api-key-stdin with nothing on stdin exits 2', async () => {
    const result = await sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
      stdin: '',
      env: fast(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Nothing was read from stdin');
    expect(server.calls('/Auth/loginKey')).toBe(0);
  });

  it('a malformed TESTMAX_RETRIES exits 2', async () => {
    const result = await sandbox.run(['ping'], { env: { ...fast(), TESTMAX_RETRIES: 'many' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TESTMAX_RETRIES');
  });
});

describe('network and server failures exit 5', () => {
  it('a dead server: exit 5 quickly, with a message naming the host', async () => {
    const url = await deadUrl();
    const env = { TESTMAX_API_URL: url, TESTMAX_RETRIES: '0' };
    const ping = await sandbox.run(['ping'], { env });
    expect(ping.code).toBe(5);
    expect(ping.stderr).toContain(new URL(url).host);
    expect(ping.stderr).toMatch(/ECONNREFUSED|Could not reach/);
    expect((await sandbox.run(['token'], { env: { ...env, ...credentials } })).code).toBe(5);
    expectJsonError(await sandbox.run(['ping', '--json'], { env }), 5, 'unavailable');
  });

  it('a dead server with the default retries still ends in exit 5', async () => {
    const url = await deadUrl();
    const result = await loginAs(DEMO_USER, DEMO_USER.apiKey, { TESTMAX_API_URL: url });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/after 4 attempts/);
  });

  it('503s then success: retried, and the command succeeds', async () => {
    server.inject('/Status/ping', { status: 503, body: '{"title":"Service Unavailable"}', times: 2 });
    const ping = await sandbox.run(['ping'], { env: fast() });
    expect(ping.code, ping.stderr).toBe(0);
    expect(server.calls('/Status/ping')).toBe(3);

    server.inject('/Auth/loginKey', { status: 503, times: 2 });
    const login = await loginAs(DEMO_USER, DEMO_USER.apiKey);
    expect(login.code, login.stderr).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(3);
  });

  it('503 on every attempt: exit 5 after the retries', async () => {
    server.inject('*', { status: 503, times: 100 });
    const result = await sandbox.run(['ping'], { env: fast() });
    expect(result.code).toBe(5);
    expect(server.calls('/Status/ping')).toBe(3);
  });

  it('an HTML 502 page from a proxy: exit 5 with a message that says so, no HTML dumped', async () => {
    const page = '<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';
    server.inject('*', { status: 502, body: page, contentType: 'text/html', times: 100 });
    for (const args of [['ping'], ['login', '--username', DEMO_USER.userName, '--api-key-stdin']]) {
      const result = await sandbox.run(args, { env: fast(), stdin: DEMO_USER.apiKey });
      expect(result.code, args[0]).toBe(5);
      expect(result.stderr).toMatch(/HTML/);
      expect(result.stderr).not.toContain('<html');
    }
  });

  it('HTTP 429 that persists: exit 5 and the wait the server asked for', async () => {
    server.inject('/Auth/loginKey', { status: 429, headers: { 'Retry-After': '3600' }, times: 100 });
    const result = await loginAs(DEMO_USER, DEMO_USER.apiKey);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/rate limit/i);
  });

  it('no answer in time: exit 5 with a timeout message', async () => {
    server.inject('/Status/ping', { delayMs: 5_000, times: 10 });
    const result = await sandbox.run(['ping'], {
      env: { ...fast(), TESTMAX_RETRIES: '0', TESTMAX_TIMEOUT_MS: '300' },
    });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/did not answer.*300 ms/);
  });

  it('a connection reset mid-request: retried, then exit 5 if it keeps happening', async () => {
    server.inject('/Status/ping', { drop: true, times: 100 });
    const result = await sandbox.run(['ping'], { env: fast() });
    expect(result.code).toBe(5);
    expect(server.calls('/Status/ping')).toBe(3);
  });
});

describe('malformed answers exit 1', () => {
  it('truncated JSON from login', async () => {
    server.inject('/Auth/loginKey', {
      status: 200,
      body: '{"success": true, "tok',
      contentType: 'application/json',
    });
    const result = await loginAs(DEMO_USER, DEMO_USER.apiKey);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/JSON/);
    expect(await sandbox.sessions()).toHaveLength(0);
  });

  it('truncated JSON from ping, in --json mode', async () => {
    server.inject('/Status/ping', { status: 200, body: '{"succ', contentType: 'application/json' });
    expectJsonError(await sandbox.run(['ping', '--json'], { env: fast() }), 1, 'error');
  });

  it('an API error that is not about credentials (HTTP 400) exits 1', async () => {
    server.inject('/Account/search', {
      status: 400,
      body: '{"title":"Bad Request","detail":"onlyActiveAccounts must be a boolean"}',
    });
    const result = await sandbox.run(['accounts'], { env: { ...fast(), ...credentials } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('400');
  });
});

describe('--debug', () => {
  it('logs each request to stderr with secrets redacted, and shows the stack of a failure', async () => {
    const first = await sandbox.run(['token', '--debug'], { env: { ...fast(), ...credentials } });
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/POST \/Auth\/loginKey 200/);
    // With a cached token, `token` checks it with the server first.
    const second = await sandbox.run(['token', '--debug'], { env: { ...fast(), ...credentials } });
    expect(second.stderr).toMatch(/POST \/Auth\/validate 200/);
    expect(second.stderr).not.toMatch(/loginKey/);

    server.inject('/Status/ping', { status: 200, body: 'nope', contentType: 'text/plain' });
    const failed = await sandbox.run(['ping', '--debug'], { env: fast() });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/\n\s+at /);
  });

  it('TESTMAX_DEBUG=1 does the same', async () => {
    const result = await sandbox.run(['ping'], { env: { ...fast(), TESTMAX_DEBUG: '1' } });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/GET \/Status\/ping 200/);
  });
});

describe('throttling and request timeouts reported by the server exit 5', () => {
  it('ping: a persistent 429 is a rate limit with the wait the server asked for', async () => {
    server.inject('/Status/ping', { status: 429, headers: { 'Retry-After': '3600' }, times: 100 });
    const result = await sandbox.run(['ping', '--json'], { env: fast() });
    expect(result.code).toBe(5);
    expect(jsonOf(result)).toMatchObject({
      error: { code: 'unavailable', message: expect.stringMatching(/3600 s/) },
    });
  });

  it('a persistent HTTP 408 after the retries', async () => {
    server.inject('*', { status: 408, body: '{"title":"Request Timeout"}', times: 100 });
    expect((await sandbox.run(['ping'], { env: fast() })).code).toBe(5);
    expect((await sandbox.run(['accounts'], { env: { ...fast(), ...credentials } })).code).toBe(5);
  });
});
