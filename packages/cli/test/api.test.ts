import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonOf, Sandbox } from './helpers.js';
import { runInTerminal } from './pty.js';
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
  server.clearFaults();
  server.resetCalls();
});
afterEach(async () => {
  await sandbox.dispose();
});

const base = () => ({ TESTMAX_API_URL: server.url });
/** With the key in the environment: the session logs in (and in again) by itself. */
const withKey = () => ({
  ...base(),
  TESTMAX_USERNAME: DEMO_USER.userName,
  TESTMAX_API_KEY: DEMO_USER.apiKey,
});

async function login(): Promise<void> {
  const result = await sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
    env: base(),
    stdin: DEMO_USER.apiKey,
  });
  expect(result.code, result.stderr).toBe(0);
  server.resetCalls();
}

describe('testmax api: what it sends and prints', () => {
  it('Status/ping needs no login: the answer, compact on a pipe, exit 0', async () => {
    const result = await sandbox.run(['api', 'Status/ping'], { env: base() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"success":true,"errorCode":0,"errorMessage":null}\n');
    expect(server.calls('/Status/ping')).toBe(1);
    expect(server.calls('/Auth/loginKey')).toBe(0);
  });

  it('Account/search through the saved session, with -F typed fields', async () => {
    await login();
    const result = await sandbox.run(['api', 'Account/search', '-F', 'onlyActiveAccounts=true'], {
      env: base(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(1);
    const body = jsonOf(result) as { success: boolean; accounts: { canTrade: boolean }[] };
    expect(body.success).toBe(true);
    expect(body.accounts.length).toBeGreaterThan(0);
    expect(body.accounts.every((account) => account.canTrade)).toBe(true);
    // The saved token was used: no login.
    expect(server.calls('/Auth/loginKey')).toBe(0);
    expect(server.calls('/Account/search')).toBe(1);
  });

  it('a POST without fields sends {} (all accounts); a leading slash and a full URL under the base work', async () => {
    await login();
    for (const path of ['Account/search', '/Account/search', `${server.url}/Account/search`]) {
      const result = await sandbox.run(['api', path], { env: base() });
      expect(result.code, result.stderr).toBe(0);
      expect((jsonOf(result) as { accounts: unknown[] }).accounts).toHaveLength(3);
    }
  });

  it('--input FILE and --input - send a JSON document as the body', async () => {
    await login();
    const file = join(sandbox.cwd, 'filter.json');
    await writeFile(file, '{ "onlyActiveAccounts": true }\n');
    const fromFile = await sandbox.run(['api', 'Account/search', '--input', file], { env: base() });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect((jsonOf(fromFile) as { accounts: unknown[] }).accounts).toHaveLength(2);
    const fromStdin = await sandbox.run(['api', 'Account/search', '--input', '-'], {
      env: base(),
      stdin: '{"onlyActiveAccounts": false}',
    });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect((jsonOf(fromStdin) as { accounts: unknown[] }).accounts).toHaveLength(3);
  });

  it('--include prints the status line and the headers before the body', async () => {
    const result = await sandbox.run(['api', 'Status/ping', '--include'], { env: base() });
    expect(result.code, result.stderr).toBe(0);
    const [head, body] = result.stdout.split('\n\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\n/);
    expect(head).toMatch(/^content-type: application\/json/m);
    expect(body).toBe('{"success":true,"errorCode":0,"errorMessage":null}\n');
  });

  it('-H adds a header; the answer keeps numbers exactly as sent', async () => {
    server.inject('/Status/ping', {
      status: 200,
      body: '{"success":true,"big":12345678901234567890,"price":1.10}',
    });
    const result = await sandbox.run(['api', 'Status/ping', '-H', 'X-Trace: abc'], { env: base() });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('{"success":true,"big":12345678901234567890,"price":1.10}\n');
  });

  it('on a terminal, the JSON is laid out on several lines', async () => {
    const result = await runInTerminal(['api', 'Status/ping'], { ...sandbox.env, ...base(), NO_COLOR: '1' });
    expect(result.code).toBe(0);
    expect(result.transcript.replaceAll('\r\n', '\n')).toContain(
      '{\n  "success": true,\n  "errorCode": 0,\n  "errorMessage": null\n}',
    );
  });

  it('--json: the answer is the one document; an answer that is not JSON is carried in one', async () => {
    const ok = await sandbox.run(['api', 'Status/ping', '--json'], { env: base() });
    expect(jsonOf(ok)).toEqual({ success: true, errorCode: 0, errorMessage: null });
    server.inject('/Status/ping', {
      status: 502,
      body: '<html>Bad gateway</html>',
      contentType: 'text/html',
      times: 5,
    });
    const html = await sandbox.run(['api', 'Status/ping', '--json'], {
      env: { ...base(), TESTMAX_RETRIES: '0' },
    });
    expect(html.code).toBe(5);
    const doc = jsonOf(html) as { ok: boolean; status: number; body: string; error: { exitCode: number } };
    expect(doc).toMatchObject({
      ok: false,
      status: 502,
      body: '<html>Bad gateway</html>',
      error: { exitCode: 5 },
    });
  });
});

describe('testmax api: exit codes', () => {
  it('success: false is exit 1, with the error code and message on stderr', async () => {
    await login();
    server.inject('/Account/search', {
      status: 200,
      body: '{"success":false,"errorCode":9,"errorMessage":"A Pro subscription is required"}',
    });
    const result = await sandbox.run(['api', 'Account/search'], { env: base() });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ success: false, errorCode: 9 });
    expect(result.stderr).toMatch(/success: false \(errorCode 9: A Pro subscription is required\)/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown path is sent unchecked; the 404 is printed and exits 1', async () => {
    await login();
    const result = await sandbox.run(['api', 'Order/place', '-F', 'size=1'], { env: base() });
    expect(result.code).toBe(1);
    expect(server.calls('/Order/place')).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 404 });
    expect(result.stderr).toMatch(
      /POST Order\/place answered HTTP 404 Not Found: No operation at \/Order\/place/,
    );
  });

  it('not logged in and no key: exit 4, nothing sent', async () => {
    const result = await sandbox.run(['api', 'Account/search'], { env: base() });
    expect(result.code).toBe(4);
    expect(server.calls('/Account/search')).toBe(0);
  });

  it('a refused token: one login with the configured key, the call retried once, exit 0', async () => {
    await login();
    server.revokeAllTokens();
    const result = await sandbox.run(['api', 'Account/search'], { env: withKey() });
    expect(result.code, result.stderr).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(1);
    expect(server.calls('/Account/search')).toBe(2);
    // The new token was saved for the next command.
    const again = await sandbox.run(['api', 'Account/search'], { env: base() });
    expect(again.code, again.stderr).toBe(0);
    expect(server.calls('/Auth/loginKey')).toBe(1);
  });

  it('a refused token and no key: exit 3, the call not retried', async () => {
    await login();
    server.revokeAllTokens();
    const result = await sandbox.run(['api', 'Account/search'], { env: base() });
    expect(result.code).toBe(3);
    expect(server.calls('/Account/search')).toBe(1);
  });

  it('5xx: a read-only call is retried, then exit 5; an unknown POST is never sent twice', async () => {
    await login();
    server.inject('/Account/search', { status: 503, times: 10 });
    const readOnly = await sandbox.run(['api', 'Account/search'], {
      env: { ...base(), TESTMAX_RETRIES: '2' },
    });
    expect(readOnly.code).toBe(5);
    expect(server.calls('/Account/search')).toBe(3);

    // A dropped connection may have been processed: an order must not be placed twice.
    server.inject('/Order/place', { drop: true, times: 10 });
    const order = await sandbox.run(['api', 'Order/place', '-F', 'size=1'], {
      env: { ...base(), TESTMAX_RETRIES: '2' },
    });
    expect(order.code).toBe(5);
    expect(server.calls('/Order/place')).toBe(1);
    // The same failure on a GET is repeated.
    server.inject('/Order/list', { drop: true, times: 10 });
    const get = await sandbox.run(['api', 'Order/list', '-X', 'GET'], {
      env: { ...base(), TESTMAX_RETRIES: '2' },
    });
    expect(get.code).toBe(5);
    expect(server.calls('/Order/list')).toBe(3);
  });
});

describe('testmax api: bad input is one line, exit 2, nothing sent, no secret echoed', () => {
  const cases: { name: string; args: string[]; stdin?: string; error: RegExp }[] = [
    {
      name: 'a field the spec does not know',
      args: ['api', 'Account/search', '-F', 'onlyActive=true'],
      error: /request schema: unknown field onlyActive; it takes onlyActiveAccounts; nothing was sent/,
    },
    {
      name: 'a boolean given as text with -f',
      args: ['api', 'Account/search', '-f', 'onlyActiveAccounts=true'],
      error:
        /field onlyActiveAccounts must be boolean or null, not text.*-F onlyActiveAccounts=… sends typed values \(boolean or null\)/,
    },
    {
      name: 'a body that is not JSON',
      args: ['api', 'Account/search', '--input', '-'],
      stdin: `{"onlyActiveAccounts": ${DEMO_USER.apiKey}`,
      error: /The body from standard input is not JSON.*nothing was sent/,
    },
    {
      name: 'a body that is JSON but not an object',
      args: ['api', 'Account/search', '--input', '-'],
      stdin: '[true]',
      error: /the body must be an object, not a list/,
    },
    {
      name: '-F with an unreadable @file',
      args: ['api', 'Account/search', '-F', 'onlyActiveAccounts=@/nonexistent/flag'],
      error: /-F onlyActiveAccounts=@\/nonexistent\/flag does not exist; nothing was sent/,
    },
    {
      name: '-F @ a directory',
      args: ['api', 'Account/search', '-F', 'onlyActiveAccounts=@/'],
      error: /is a directory; nothing was sent/,
    },
    {
      name: 'an Authorization header',
      args: ['api', 'Account/search', '-H', `Authorization: Bearer ${DEMO_USER.apiKey}`],
      error: /-H Authorization is not accepted: the session adds the bearer itself/,
    },
    {
      name: 'a header with a line break',
      args: ['api', 'Account/search', '-H', `X-Key: a\r\nX-Other: ${DEMO_USER.apiKey}`],
      error: /the value holds a line break/,
    },
    {
      name: 'a method the spec does not give the path',
      args: ['api', 'Status/ping', '-X', 'DELETE'],
      error: /Status\/ping takes GET, not DELETE/,
    },
    {
      name: '--input and fields together',
      args: ['api', 'Account/search', '--input', '-', '-F', 'onlyActiveAccounts=true'],
      error: /--input and -f\/-F both give the body/,
    },
    {
      name: 'a field without a value',
      args: ['api', 'Account/search', '-F', DEMO_USER.apiKey],
      error: /-F needs name=value; got \(\d+ characters, not repeated here/,
    },
    {
      name: 'Auth/loginKey (the key would be on the command line)',
      args: ['api', 'Auth/loginKey', '-f', `apiKey=${DEMO_USER.apiKey}`],
      error: /does not call Auth\/loginKey: logging in is `testmax login`/,
    },
    {
      name: 'a URL that is not under the base URL',
      args: ['api', 'https://elsewhere.example/Account/search'],
      error: /takes a path under the base URL/,
    },
  ];

  for (const { name, args, stdin, error } of cases) {
    it(name, async () => {
      await login();
      const result = await sandbox.run(args, { env: base(), ...(stdin !== undefined ? { stdin } : {}) });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(error);
      expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
      expect(result.stdout).toBe('');
      const sent = ['/Account/search', '/Status/ping', '/Auth/loginKey'].map((path) => server.calls(path));
      expect(sent).toEqual([0, 0, 0]);
    });
  }

  it('an oversized --input is refused without reading it all', async () => {
    await mkdir(join(sandbox.home, 'big'), { recursive: true });
    const big = join(sandbox.home, 'big', 'body.json');
    await writeFile(big, `{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}`);
    const result = await sandbox.run(['api', 'Order/place', '--input', big], { env: withKey() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/larger than 10 MiB/);
    expect(server.calls('/Order/place')).toBe(0);
  });

  it('the cap is for the whole body: two -F files of 6 MiB each are refused, nothing sent', async () => {
    await mkdir(join(sandbox.home, 'big'), { recursive: true });
    const part = join(sandbox.home, 'big', 'part.txt');
    await writeFile(part, 'x'.repeat(6 * 1024 * 1024));
    const result = await sandbox.run(['api', 'Order/place', '-F', `a=@${part}`, '-F', `b=@${part}`], {
      env: withKey(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/-F b=@.* makes the body larger than 10 MiB with the fields before it/);
    expect(server.calls('/Order/place')).toBe(0);
  });
});

describe('testmax api: a path is read as the server will read it', () => {
  it('dot segments do not slip past the session-endpoint guard: exit 2, nothing sent, the token kept', async () => {
    await login();
    for (const path of [
      'x/../Auth/logout',
      './Auth/validate',
      'Account/%2e%2e/Auth/logout',
      'Auth//logout/',
    ]) {
      const result = await sandbox.run(['api', path], { env: base() });
      expect(result.code, `${path}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(/testmax api does not call Auth\/+(logout|validate)/);
      expect(result.stdout).toBe('');
    }
    expect(server.calls()).toBe(0);
    // The token was not revoked behind the CLI's back.
    const status = await sandbox.run(['validate'], { env: base() });
    expect(status.code, status.stderr).toBe(0);
  });

  it('a path that resolves outside the base path is refused; one that stays inside is sent normalised', async () => {
    await login();
    // With a key, a CLI without the check would log in and send.
    const underApi = { ...withKey(), TESTMAX_API_URL: `${server.url}/api` };
    for (const path of ['../../x', 'Account/../../Status/ping', `${server.url}/api/a/../../Status/ping`]) {
      const result = await sandbox.run(['api', path, '-X', 'GET'], { env: underApi });
      expect(result.code, `${path}: ${result.stderr}`).toBe(2);
      // A full URL is parsed (and its `..` resolved) by the full-URL rule, which says so its own way.
      expect(result.stderr).toMatch(/resolves outside it .*nothing was sent|the URL given is not under it/);
    }
    expect(server.calls()).toBe(0);
    const inside = await sandbox.run(['api', 'Nope/../Status/ping'], { env: base() });
    expect(inside.code, inside.stderr).toBe(0);
    expect(server.calls('/Status/ping')).toBe(1);
  });
});

describe('testmax api: a 408, 429 or 5xx says what was done and what the server asked', () => {
  it('429 with Retry-After: the wait the server asked for, sent once, never "retried"', async () => {
    await login();
    server.inject('/Order/place', { status: 429, headers: { 'Retry-After': '120' }, body: '', times: 5 });
    const result = await sandbox.run(['api', 'Order/place', '-F', 'size=1'], { env: base() });
    expect(result.code).toBe(5);
    expect(server.calls('/Order/place')).toBe(1);
    expect(result.stderr).toMatch(
      /POST Order\/place answered HTTP 429 Too Many Requests \(sent once\) and asked to wait 120 s\. Try again in 120 s/,
    );
    expect(result.stderr).not.toMatch(/retried/);
  });

  it('5xx: an unknown POST says it was sent once; a read-only call how many attempts were made', async () => {
    await login();
    const env = { ...base(), TESTMAX_RETRIES: '2' };
    server.inject('/Order/place', { status: 503, times: 10 });
    const order = await sandbox.run(['api', 'Order/place', '-F', 'size=1'], { env });
    expect(order.code).toBe(5);
    expect(server.calls('/Order/place')).toBe(1);
    expect(order.stderr).toMatch(
      /HTTP 503 Service Unavailable \(sent once\): Injected fault.*It was not repeated/,
    );
    expect(order.stderr).not.toMatch(/retried/);

    server.inject('/Account/search', { status: 503, times: 10 });
    const search = await sandbox.run(['api', 'Account/search'], { env });
    expect(search.code).toBe(5);
    expect(server.calls('/Account/search')).toBe(3);
    expect(search.stderr).toMatch(/HTTP 503 Service Unavailable \(after 3 attempts\): .*Try again later/);
  });
});

describe('testmax api --json: one shape', () => {
  it('a failure is the error document every command prints, with the answer as its body', async () => {
    await login();
    server.inject('/Account/search', {
      status: 200,
      body: '{"success":false,"errorCode":9,"errorMessage":"A Pro subscription is required","id":12345678901234567890}',
    });
    const refused = await sandbox.run(['api', 'Account/search', '--json'], { env: base() });
    expect(refused.code).toBe(1);
    expect(jsonOf(refused)).toMatchObject({
      ok: false,
      status: 200,
      body: { success: false, errorCode: 9, errorMessage: 'A Pro subscription is required' },
      error: {
        code: 'error',
        exitCode: 1,
        message: expect.stringMatching(/success: false/),
        hint: expect.any(String),
      },
    });
    // The answer is kept exactly as sent (not parsed and rounded).
    expect(refused.stdout).toContain('"id":12345678901234567890');

    const missing = await sandbox.run(['api', 'Order/place', '--json'], { env: base() });
    expect(missing.code).toBe(1);
    expect(jsonOf(missing)).toMatchObject({
      ok: false,
      status: 404,
      body: { status: 404 },
      error: { exitCode: 1 },
    });

    server.inject('/Order/place', {
      status: 429,
      headers: { 'Retry-After': '120' },
      body: '{"detail":"slow down"}',
    });
    const limited = await sandbox.run(['api', 'Order/place', '--json'], { env: base() });
    expect(limited.code).toBe(5);
    expect(jsonOf(limited)).toMatchObject({
      ok: false,
      status: 429,
      body: { detail: 'slow down' },
      error: { code: 'unavailable', exitCode: 5, message: expect.stringMatching(/asked to wait 120 s/) },
    });
  });

  it('a success is still the server’s answer itself', async () => {
    await login();
    const result = await sandbox.run(['api', 'Account/search', '--json'], { env: base() });
    expect(result.code, result.stderr).toBe(0);
    expect(jsonOf(result)).toMatchObject({ success: true, accounts: expect.any(Array) });
    expect(jsonOf(result)).not.toHaveProperty('ok');
  });
});

describe('testmax api: a broken answer', () => {
  it('a 2xx that says it is JSON and is not: exit 1, printed as it came, carried as text under --json', async () => {
    await login();
    server.inject('/Account/search', {
      status: 200,
      body: '{"success":tru',
      contentType: 'application/json; charset=utf-8',
      times: 2,
    });
    const result = await sandbox.run(['api', 'Account/search'], { env: base() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('{"success":tru\n');
    expect(result.stderr).toMatch(/answered HTTP 200 with a body that is not valid JSON/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);

    const json = await sandbox.run(['api', 'Account/search', '--json'], { env: base() });
    expect(json.code).toBe(1);
    expect(jsonOf(json)).toMatchObject({
      ok: false,
      status: 200,
      body: '{"success":tru',
      error: { exitCode: 1 },
    });
    // The same text as text/plain is an answer without an envelope.
    server.inject('/Account/search', { status: 200, body: 'OK', contentType: 'text/plain' });
    expect((await sandbox.run(['api', 'Account/search'], { env: base() })).code).toBe(0);
  });
});
