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
    const noKey = { ...env, TESTMAX_API_KEY: '' };
    /** Run each command in order and check its exit code: each path is the one intended. */
    const expectCodes = async (
      runEnv: Record<string, string>,
      flags: string[],
      codes: number[],
      what: string,
    ) => {
      for (const [i, command] of commands.entries()) {
        const result = await sandbox.run([...command, ...flags], { env: runEnv });
        expect(result.code, `${command} ${what}: ${result.stderr}`).toBe(codes[i]);
      }
    };
    // order:             ping status validate accounts logout token
    expect((await sandbox.run(['login'], { env })).code).toBe(0);
    server.revokeAllTokens();
    // Revoked, no key: status reports (and keeps it), validate drops it, then nothing is left.
    await expectCodes(noKey, ['--debug'], [0, 3, 3, 4, 0, 4], 'revoked, no key');
    // Nothing saved, with a key: status is not logged in, the rest log in by themselves.
    await expectCodes(env, ['--debug', '--json'], [0, 4, 0, 0, 0, 0], 'nothing saved, with a key');

    const faults: [string, Record<string, unknown>, number[]][] = [
      // The server says "error 3" to everything, echoing the key: a refused token, then a rejected key.
      [
        'error 3 echoing the key',
        { status: 200, body: `{"success":false,"errorCode":3,"errorMessage":"bad key ${DEMO_USER.apiKey}"}` },
        [1, 3, 3, 3, 0, 3],
      ],
      // Unavailable: every command exits 5, and logout keeps the file.
      ['HTML 500', { status: 500, body: '<html>oops</html>', contentType: 'text/html' }, [5, 5, 5, 5, 5, 5]],
      // Unreadable: exit 1; logout deletes the file, so token has to log in (and fails the same way).
      ['truncated JSON', { status: 200, body: '{"success":tr' }, [1, 1, 1, 1, 1, 1]],
      ['dropped connections', { drop: true }, [5, 5, 5, 5, 5, 5]],
    ];
    for (const [what, fault, codes] of faults) {
      expect((await sandbox.run(['login'], { env })).code, `login before ${what}`).toBe(0);
      server.inject('*', { ...fault, times: 50 });
      try {
        await expectCodes(env, ['--debug'], codes, `with ${what}`);
      } finally {
        server.clearFaults();
      }
    }
    // The server echoing the key back in an error message must not get it printed either.
    server.inject('/Auth/loginKey', {
      status: 200,
      body: `{"success":false,"errorCode":99,"errorMessage":"internal error for key ${DEMO_USER.apiKey}"}`,
    });
    const echoed = await sandbox.run(['login', '--debug'], { env });
    expect(echoed.code).toBe(1);
  });

  it("the CLI's own filter masks a key the SDK does not know about (ping has no session)", async () => {
    // ping sends no key, so the SDK has nothing to redact: only the CLI knows the configured
    // key is a secret. Without its filter this would print the key (and Sandbox.run fail).
    const env = { TESTMAX_API_URL: server.url, TESTMAX_API_KEY: DEMO_USER.apiKey, TESTMAX_RETRIES: '0' };
    const echo = `{"success":false,"errorCode":99,"errorMessage":"no service for key ${DEMO_USER.apiKey}"}`;
    server.inject('/Status/ping', { status: 200, body: echo, times: 2 });
    try {
      const human = await sandbox.run(['ping', '--debug'], { env });
      expect(human.code).toBe(1);
      expect(human.stderr).toContain('no service for key ***');
      const json = await sandbox.run(['ping', '--json'], { env });
      expect(json.stdout).toContain('no service for key ***');
    } finally {
      server.clearFaults();
    }
  });

  it('JSON result documents are masked too', async () => {
    const env = {
      TESTMAX_API_URL: server.url,
      TESTMAX_USERNAME: DEMO_USER.userName,
      TESTMAX_API_KEY: DEMO_USER.apiKey,
    };
    const accounts = [{ id: 1, name: `named ${DEMO_USER.apiKey}`, balance: 1, canTrade: true }];
    server.inject('/Account/search', {
      status: 200,
      body: JSON.stringify({ success: true, errorCode: 0, errorMessage: null, accounts }),
    });
    try {
      const result = await sandbox.run(['accounts', '--json'], { env });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, accounts: [{ name: 'named ***' }] });
    } finally {
      server.clearFaults();
    }
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
