import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hasControlCharacters, jsonOf, type RunResult, Sandbox } from './helpers.js';
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

/** The request attempts `--debug` logged for one method and path, as [attempt, retry delay in ms]. */
function attempts(stderr: string, request: string): { attempt: number; retryInMs?: number }[] {
  return [
    ...stderr.matchAll(new RegExp(`debug: ${request} .*attempt=(\\d+)[^\\n]*?(?:retry in (\\d+)ms)?$`, 'gm')),
  ].map((m) => ({ attempt: Number(m[1]), ...(m[2] === undefined ? {} : { retryInMs: Number(m[2]) }) }));
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

  it('the hint names where the rejected user name and key came from', async () => {
    const wrong = sandbox.secret('tmx_this_key_is_wrong_999999');
    const piped = await loginAs(DEMO_USER, wrong);
    expect(piped.code).toBe(3);
    expect(piped.stderr).toContain(
      'Check the user name (flag --username) and the API key (read from standard input)',
    );
    expect(piped.stderr).not.toContain('TESTMAX_API_KEY');

    await sandbox.writeDotEnv(`TESTMAX_API_KEY=${wrong}\n`);
    const chained = await sandbox.run(['token'], {
      env: { ...fast(), TESTMAX_USERNAME: DEMO_USER.userName },
    });
    expect(chained.code).toBe(3);
    expect(chained.stderr).toContain(
      `Check the user name (environment variable TESTMAX_USERNAME) and the API key (TESTMAX_API_KEY in ${sandbox.cwd}/.env)`,
    );
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

  it('a malformed or out-of-range TESTMAX_RETRIES / TESTMAX_TIMEOUT_MS exits 2, naming the variable', async () => {
    for (const [name, value] of [
      ['TESTMAX_RETRIES', 'many'],
      ['TESTMAX_RETRIES', '11'],
      ['TESTMAX_TIMEOUT_MS', '0'],
      ['TESTMAX_TIMEOUT_MS', '99999999999'],
    ] as const) {
      const result = await sandbox.run(['ping'], { env: { ...fast(), [name]: value } });
      expect(result.code, `${name}=${value}`).toBe(2);
      expect(result.stderr).toContain(`${name} must be a whole number`);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(server.calls()).toBe(0);
  });

  it('a malformed base URL is exit 2 wherever it comes from: flag, environment, .env, config', async () => {
    const bad = 'http://api.example.com';
    const flag = await sandbox.run(['ping', '--base-url', bad]);
    const env = await sandbox.run(['ping'], { env: { TESTMAX_API_URL: bad } });
    await sandbox.writeConfig({ api_url: 'not a url' });
    const config = await sandbox.run(['status']);
    await sandbox.writeDotEnv(`TESTMAX_API_URL=ftp://example.com\n`);
    const dotenv = await sandbox.run(['ping']);
    for (const [where, result] of Object.entries({ flag, env, config, dotenv })) {
      expect(result.code, where).toBe(2);
      expect(result.stderr.trim().split('\n'), where).toHaveLength(1);
    }
    expect(env.stderr).toContain('TESTMAX_API_URL');
    expect(config.stderr).toContain(sandbox.configFile);
    expect(dotenv.stderr).toContain('.env');
  });

  it('a .env that would pick the server for a key from elsewhere is refused: exit 2', async () => {
    // @testmax/auth's rule: a .env in a cloned repository must not send your key to its server.
    await sandbox.writeDotEnv(`TESTMAX_API_URL=${server.url}\n`);
    const result = await sandbox.run(['token'], { env: credentials });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(server.calls('/Auth/loginKey')).toBe(0);
  });
});

describe('network and server failures exit 5', () => {
  it('a dead server with TESTMAX_RETRIES=0: exit 5 after exactly one attempt, naming the host', async () => {
    const url = await deadUrl();
    const env = { TESTMAX_API_URL: url, TESTMAX_RETRIES: '0' };
    const ping = await sandbox.run(['ping', '--debug'], { env });
    expect(ping.code).toBe(5);
    expect(ping.stderr).toContain(new URL(url).host);
    expect(ping.stderr).toMatch(/ECONNREFUSED|Could not reach/);
    // Bounded by counting, not by the clock: one attempt, no retry scheduled.
    expect(attempts(ping.stderr, 'GET /Status/ping')).toEqual([{ attempt: 1 }]);
    const token = await sandbox.run(['token', '--debug'], { env: { ...env, ...credentials } });
    expect(token.code).toBe(5);
    expect(attempts(token.stderr, 'POST /Auth/loginKey')).toEqual([{ attempt: 1 }]);
    expectJsonError(await sandbox.run(['ping', '--json'], { env }), 5, 'unavailable');
  });

  it('nothing listening on a loopback URL: asks whether the simulator is running and how to start it there', async () => {
    const url = await deadUrl();
    const port = new URL(url).port;
    const env = { TESTMAX_API_URL: url, TESTMAX_RETRIES: '0' };
    const ping = await sandbox.run(['ping'], { env });
    expect(ping.code).toBe(5);
    expect(ping.stderr).toMatch(
      /\. Is the simulator running\? Nothing listens at http:\/\/127\.0\.0\.1:\d+; /,
    );
    expect(ping.stderr).toContain(`\`testmax-mock --port ${port}\``);
    expect(ping.stderr).toContain(`\`pnpm -s testmax-mock --port ${port}\``);
    // The same advice for every command, in the JSON document's hint (never in its message).
    const token = jsonOf(await sandbox.run(['token', '--json'], { env: { ...env, ...credentials } }));
    expect(token).toMatchObject({
      error: {
        code: 'unavailable',
        hint: expect.stringMatching(/^Is the simulator running\?/),
        message: expect.not.stringContaining('simulator'),
      },
    });
    // A server that is there but slow is another matter: no word of a simulator.
    server.inject('/Status/ping', { delayMs: 2_000, times: 5 });
    const slow = await sandbox.run(['ping'], {
      env: { ...fast(), TESTMAX_RETRIES: '0', TESTMAX_TIMEOUT_MS: '200' },
    });
    expect(slow.code).toBe(5);
    expect(slow.stderr).not.toContain('simulator');
  });

  it('a dead server with the default retries: 3 attempts, short back-off, then exit 5', async () => {
    const url = await deadUrl();
    const result = await loginAs(DEMO_USER, DEMO_USER.apiKey, { TESTMAX_API_URL: url }, ['--debug']);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/after 3 attempts/);
    expect(result.stderr).toContain('requests: 10000 ms timeout per attempt, up to 2 retries');
    const seen = attempts(result.stderr, 'POST /Auth/loginKey');
    expect(seen.map((a) => a.attempt)).toEqual([1, 2, 3]);
    // Full-jitter back-off from 250 ms: no retry waits as long as a second.
    for (const { retryInMs } of seen.slice(0, 2)) expect(retryInMs).toBeLessThan(1000);
    expect(seen[2]!.retryInMs).toBeUndefined();
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

  it("no answer in time: exit 5, and the hint names the CLI's settings, not the SDK's option", async () => {
    server.inject('/Status/ping', { delayMs: 5_000, times: 10 });
    const result = await sandbox.run(['ping', '--debug'], {
      env: { TESTMAX_API_URL: server.url, TESTMAX_TIMEOUT_MS: '300' },
    });
    expect(result.code).toBe(5);
    const error = result.stderr.split('\n').find((line) => line.startsWith('error:'))!;
    expect(error).toMatch(/did not answer.*300 ms \(3 attempts\)\. Check your network/);
    expect(error).toContain('raise TESTMAX_TIMEOUT_MS (now 300 ms per attempt) or TESTMAX_RETRIES');
    expect(error).not.toContain('timeoutMs');
    // The default retries: three attempts in all, each of them timed out.
    expect(attempts(result.stderr, 'GET /Status/ping').map((a) => a.attempt)).toEqual([1, 2, 3]);
  });

  it('a connection reset mid-request: retried, then exit 5 if it keeps happening', async () => {
    server.inject('/Status/ping', { drop: true, times: 100 });
    const result = await sandbox.run(['ping'], { env: fast() });
    expect(result.code).toBe(5);
    expect(server.calls('/Status/ping')).toBe(3);
  });
});

describe('text from the server is made safe for the terminal', () => {
  it('control characters and escape sequences are removed from errors and from account names', async () => {
    server.inject('/Status/ping', {
      status: 200,
      body: JSON.stringify({
        success: false,
        errorCode: 99,
        errorMessage: 'bad \u001b[2J\u001b]0;title\u0007\u009b1;1H\r\u0008day',
      }),
    });
    const ping = await sandbox.run(['ping'], { env: fast() });
    expect(ping.code).toBe(1);
    expect(ping.stderr).toContain('bad');
    expect(ping.stderr).toContain('day');
    expect(hasControlCharacters(ping.stderr)).toBe(false);

    server.inject('/Account/search', {
      status: 200,
      body: JSON.stringify({
        success: true,
        errorCode: 0,
        errorMessage: null,
        accounts: [{ id: 1, name: 'EVIL\u001b[31m\nNAME\u0007', balance: 1, canTrade: true }],
      }),
    });
    const accounts = await sandbox.run(['accounts'], { env: { ...fast(), ...credentials } });
    expect(accounts.code, accounts.stderr).toBe(0);
    expect(accounts.stdout).toMatch(/^ID {2}NAME +BALANCE {2}CAN TRADE\n {1}1 {2}EVIL NAME +1\.00 {2}yes\n$/);
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

describe('--json failures: one shape, whatever failed', () => {
  it('every error document is { code, exitCode, message, hint }, the advice in the hint and never in the message', async () => {
    const wrong = sandbox.secret('tmx_this_key_is_wrong_888888');
    const dead = await deadUrl();
    const failures: [string, () => Promise<RunResult>][] = [
      ['usage', () => sandbox.run(['status', '--frob', '--json'])],
      ['no command', () => sandbox.run(['--json'])],
      ['not logged in', () => sandbox.run(['token', '--json'], { env: fast() })],
      ['nothing to log in with', () => sandbox.run(['login', '--json'], { env: fast() })],
      ['wrong key', () => loginAs(DEMO_USER, wrong, fast(), ['--json'])],
      [
        'server down',
        () => sandbox.run(['ping', '--json'], { env: { TESTMAX_API_URL: dead, TESTMAX_RETRIES: '0' } }),
      ],
      [
        'an HTML 502 page',
        async () => {
          server.inject('/Status/ping', {
            status: 502,
            body: '<html><body>Bad gateway</body></html>',
            times: 5,
          });
          return sandbox.run(['ping', '--json'], { env: { ...fast(), TESTMAX_RETRIES: '0' } });
        },
      ],
      [
        'an unexpected answer',
        async () => {
          server.inject('/Status/ping', { status: 200, body: '{"success":false,"errorCode":99}', times: 5 });
          return sandbox.run(['ping', '--json'], { env: { ...fast(), TESTMAX_RETRIES: '0' } });
        },
      ],
      [
        'a rate limit',
        async () => {
          server.inject('/Status/ping', { status: 429, headers: { 'Retry-After': '3600' }, times: 5 });
          return sandbox.run(['ping', '--json'], { env: fast() });
        },
      ],
      ['a malformed setting', () => sandbox.run(['ping', '--json'], { env: { TESTMAX_API_URL: 'ftp://x' } })],
    ];
    for (const [what, run] of failures) {
      server.clearFaults();
      const result = await run();
      expect(result.code, what).toBeGreaterThan(0);
      const { error } = jsonOf(result) as { error: Record<string, unknown> };
      expect(Object.keys(error).sort(), what).toEqual(['code', 'exitCode', 'hint', 'message']);
      expect(error.hint, what).toMatch(/^[A-Z`].*[.)]$/);
      // What happened, in one sentence; what to do is the hint's, not the message's.
      expect(error.message, what).not.toMatch(/; (check|retry|slow down|set|make|contact|upgrade)/i);
      // The human line is the same two parts.
      expect(result.stderr.trim(), what).toBe(`error: ${error.message} ${error.hint}`);
    }
  });
});
