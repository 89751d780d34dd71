import { rm } from 'node:fs/promises';
import { HostileServer, json, tokenAnswer } from '@testmax/test-support/hostile-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from './helpers.js';

// `testmax api` after the saved token is gone or refused, with the key `login` saved
// (--insecure-storage; the keychain takes the same path): one new login, and the new token
// masked in the output like the saved one. A scripted server, so it can refuse every token
// and echo the bearer back.

const USER = 'relogin@testmax.local';
const KEY = 'tmx_relogin_not_a_real_key_0000000000';

/** A token the CLI reads as valid for a day (nobody checks the signature here). */
function jwt(n: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: USER, n, iat: now, exp: now + 86_400 })}.signature${n}`;
}

let server: HostileServer;
let sandbox: Sandbox;
let issued: string[];
let env: Record<string, string>;

beforeEach(async () => {
  server = await HostileServer.start();
  sandbox = await Sandbox.create();
  sandbox.secret(KEY);
  issued = [];
  server.on('/Auth/loginKey', (request, response, body) => {
    const token = jwt(issued.length + 1);
    issued.push(token);
    // Every token ever issued must stay out of every output.
    sandbox.secret(token);
    return tokenAnswer(token)(request, response, body);
  });
  env = { TESTMAX_API_URL: server.url, TESTMAX_KEYCHAIN: '', TESTMAX_RETRIES: '0' };
  const login = await sandbox.run(['login', '--username', USER, '--api-key-stdin', '--insecure-storage'], {
    env,
    stdin: KEY,
  });
  expect(login.code, login.stderr).toBe(0);
  expect(issued).toHaveLength(1);
});
afterEach(async () => {
  await server.close();
  await sandbox.dispose();
});

const sent = (path: string) => server.requestsTo(path).length;

describe('testmax api with a saved key', () => {
  it('a server that refuses every token: one new login, the call sent twice, exit 3', async () => {
    server.on('/Test/unauth', json({ title: 'Unauthorized', status: 401 }, 401));
    const result = await sandbox.run(['api', 'Test/unauth', '--debug'], { env });
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /error: The server refused the session token for .* even after logging in again with the key saved in the file/,
    );
    expect(sent('/Test/unauth')).toBe(2);
    // The login of beforeEach, and one more.
    expect(sent('/Auth/loginKey')).toBe(2);
  });

  it('a token received during the command is masked in the answer, as the saved one is', async () => {
    server.on('/Test/echo', (request, response, body) =>
      json({ success: true, headers: request.headers })(request, response, body),
    );
    // No saved token (the user named, as the cache no longer does): the CLI logs in with the
    // saved key, and the server echoes the new bearer.
    for (const { file } of await sandbox.sessions()) await rm(file);
    const result = await sandbox.run(['api', 'Test/echo'], { env: { ...env, TESTMAX_USERNAME: USER } });
    expect(result.code, result.stderr).toBe(0);
    expect(issued).toHaveLength(2);
    expect(result.stdout).toContain('"authorization":"Bearer ***"');

    // The saved token refused once: the new one from the saved key is masked too.
    let refusedOnce = false;
    server.on('/Test/echo', (request, response, body) => {
      if (!refusedOnce) {
        refusedOnce = true;
        return json({ title: 'Unauthorized', status: 401 }, 401)(request, response, body);
      }
      return json({ success: true, headers: request.headers })(request, response, body);
    });
    const again = await sandbox.run(['api', 'Test/echo'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(issued).toHaveLength(3);
    expect(again.stdout).toContain('"authorization":"Bearer ***"');
  });
});
