import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from './helpers.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

// Every Sandbox.run already fails the test when stdout or stderr holds the key, or a token
// outside `testmax token`. This sweep drives every command through success and failure, with
// --debug and --json, so that check sees every code path that prints.
let server: MockServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startServer();
  sandbox = await Sandbox.create();
  sandbox.secret(DEMO_USER.apiKey);
});
afterAll(async () => {
  await sandbox.dispose();
  await server.close();
});

const commands = [['ping'], ['status'], ['validate'], ['accounts'], ['logout'], ['token']];

describe('no key or token in any output', () => {
  it('success paths, human, --json and --debug', async () => {
    const env = {
      TESTMAX_API_URL: server.url,
      TESTMAX_USERNAME: DEMO_USER.userName,
      TESTMAX_API_KEY: DEMO_USER.apiKey,
    };
    for (const flags of [[], ['--json'], ['--debug'], ['--json', '--debug']]) {
      const login = await sandbox.run(['login', ...flags], { env });
      expect(login.code).toBe(0);
      for (const command of commands) {
        const result = await sandbox.run([...command, ...flags], { env });
        expect(result.code, `${command} ${flags}`).toBe(0);
      }
    }
    // `token` is the one command allowed to print the token: and only on stdout.
    const token = await sandbox.run(['token', '--debug'], { env });
    expect(token.stdout.trim()).toBe((await sandbox.sessions())[0]!.body.token);
  });

  it('failure paths: rejected, revoked, malformed, unavailable — with --debug stacks', async () => {
    const env = {
      TESTMAX_API_URL: server.url,
      TESTMAX_USERNAME: DEMO_USER.userName,
      TESTMAX_API_KEY: DEMO_USER.apiKey,
      TESTMAX_RETRIES: '0',
    };
    await sandbox.run(['login'], { env });
    server.revokeAllTokens();
    for (const command of commands) {
      await sandbox.run([...command, '--debug'], { env: { ...env, TESTMAX_API_KEY: '' } });
      await sandbox.run([...command, '--debug', '--json'], { env });
    }
    for (const fault of [
      { status: 200, body: `{"success":false,"errorCode":3,"errorMessage":"bad key ${DEMO_USER.apiKey}"}` },
      { status: 500, body: '<html>oops</html>', contentType: 'text/html' },
      { status: 200, body: '{"success":tr' },
      { drop: true },
    ]) {
      server.inject('*', { ...fault, times: 50 });
      for (const command of commands) {
        const result = await sandbox.run([...command, '--debug'], { env });
        expect(result.code, `${command} with ${JSON.stringify(fault)}`).not.toBe(null);
      }
      server.clearFaults();
    }
    // The server echoing the key back in an error message must not get it printed either.
    server.inject('/Auth/loginKey', {
      status: 200,
      body: `{"success":false,"errorCode":99,"errorMessage":"internal error for key ${DEMO_USER.apiKey}"}`,
    });
    const echoed = await sandbox.run(['login', '--debug'], { env });
    expect(echoed.code).not.toBe(0);
  });

  it('a wrong key typed in is not echoed back in the error', async () => {
    const wrong = sandbox.secret('tmx_wrong_key_that_should_stay_secret');
    const result = await sandbox.run(
      ['login', '--username', DEMO_USER.userName, '--api-key-stdin', '--debug'],
      {
        stdin: wrong,
        env: { TESTMAX_API_URL: server.url },
      },
    );
    expect(result.code).toBe(3);
  });
});
