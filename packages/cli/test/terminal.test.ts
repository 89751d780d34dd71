import { tool } from '@testmax/test-support/tools';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Sandbox } from './helpers.js';
import { runInTerminal } from './pty.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

// These tests give the CLI a real terminal, type at its prompts and read back everything the
// terminal displayed. The terminal is a pseudo-terminal from python3: without it, these tests
// skip loudly on a laptop and fail in CI.
const pty = tool('python3');

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
});
afterEach(async () => {
  await sandbox.dispose();
});

const env = () => ({ ...sandbox.env, TESTMAX_API_URL: server.url, TERM: 'xterm' });

describe.runIf(pty.available)(`the hidden API-key prompt${pty.skipNote}`, () => {
  it('asks on the terminal, logs in, and the typed key never appears on screen', async () => {
    const result = await runInTerminal(
      ['login', '--username', DEMO_USER.userName],
      env(),
      [{ waitFor: 'input hidden' }],
      [`${DEMO_USER.apiKey}\r`],
    );
    expect(result.stepsDone).toBe(1);
    expect(result.code, result.transcript).toBe(0);
    expect(result.transcript).toContain(`API key for ${DEMO_USER.userName} (input hidden):`);
    expect(result.transcript).toContain('Logged in');
    expect(result.transcript).not.toContain(DEMO_USER.apiKey);
    // Not even a part of it (no partial echo, no asterisks standing in for its length).
    expect(result.transcript).not.toContain(DEMO_USER.apiKey.slice(0, 8));
    expect(result.transcript).not.toContain('****');
    expect(await sandbox.sessions()).toHaveLength(1);
  });

  it('control: the same terminal does echo what is typed at the visible user-name prompt', async () => {
    // Proves the harness would see an echoed key: the user name typed here shows up on screen.
    const result = await runInTerminal(
      ['login'],
      env(),
      [{ waitFor: 'user name (e-mail):' }, { waitFor: 'input hidden' }],
      [`${DEMO_USER.userName}\r`, `${DEMO_USER.apiKey}\r`],
    );
    expect(result.code, result.transcript).toBe(0);
    const afterPrompt = result.transcript.split('user name (e-mail):')[1] ?? '';
    expect(afterPrompt).toContain(DEMO_USER.userName);
    expect(result.transcript).not.toContain(DEMO_USER.apiKey);
  });

  it('backspace edits the hidden input', async () => {
    const result = await runInTerminal(
      ['login', '--username', DEMO_USER.userName],
      env(),
      [{ waitFor: 'input hidden' }],
      [`${DEMO_USER.apiKey}XY\u007f\u007f\r`],
    );
    expect(result.code, result.transcript).toBe(0);
  });

  it('--api-key-stdin on a terminal also prompts without echo', async () => {
    const result = await runInTerminal(
      ['login', '--username', DEMO_USER.userName, '--api-key-stdin'],
      env(),
      [{ waitFor: 'input hidden' }],
      [`${DEMO_USER.apiKey}\r`],
    );
    expect(result.code, result.transcript).toBe(0);
    expect(result.transcript).not.toContain(DEMO_USER.apiKey);
  });

  it('Ctrl-C at the prompt cancels with exit 130 and saves nothing', async () => {
    const result = await runInTerminal(
      ['login', '--username', DEMO_USER.userName],
      env(),
      [{ waitFor: 'input hidden' }],
      ['tmx_partial\u0003'],
    );
    expect(result.code).toBe(130);
    expect(result.transcript).not.toContain('tmx_partial');
    expect(await sandbox.sessions()).toHaveLength(0);
  });

  it('Ctrl-C in --json mode still prints one error document (exit 130)', async () => {
    const result = await runInTerminal(
      ['login', '--json', '--username', DEMO_USER.userName],
      env(),
      [{ waitFor: 'input hidden' }],
      ['tmx_partial\u0003'],
    );
    expect(result.code).toBe(130);
    expect(result.transcript).toContain('"ok": false');
    expect(result.transcript).toContain('"code": "cancelled"');
    expect(result.transcript).toContain('"exitCode": 130');
    expect(result.transcript).not.toContain('tmx_partial');
  });

  it('arrow, Home and function keys are ignored, not typed into the key', async () => {
    const key = DEMO_USER.apiKey;
    // Left, Right (CSI), Home (SS3), F5 (CSI with a parameter) in the middle of the key:
    // kept as text they would make it "[D[COH[15~"-polluted and the login would fail (exit 3).
    const result = await runInTerminal(
      ['login', '--username', DEMO_USER.userName],
      env(),
      [{ waitFor: 'input hidden' }],
      [`${key.slice(0, 10)}\u001b[D\u001b[C\u001bOH${key.slice(10)}\u001b[15~\r`],
    );
    expect(result.code, result.transcript).toBe(0);
    expect(result.transcript).toContain('Logged in');
  });

  it('an empty answer is a usage error (exit 2)', async () => {
    const result = await runInTerminal(
      ['login', '--username', DEMO_USER.userName],
      env(),
      [{ waitFor: 'input hidden' }],
      ['\r'],
    );
    expect(result.code).toBe(2);
    expect(result.transcript).toContain('No API key was entered');
  });

  it('a key with a space inside is a usage error (exit 2), the key not shown, nothing sent', async () => {
    const before = server.calls('/Auth/loginKey');
    const result = await runInTerminal(
      ['login', '--username', DEMO_USER.userName],
      env(),
      [{ waitFor: 'input hidden' }],
      [`${DEMO_USER.apiKey} ${DEMO_USER.apiKey}\r`],
    );
    expect(result.code).toBe(2);
    expect(result.transcript).toContain('The API key entered holds spaces or line breaks');
    expect(result.transcript).not.toContain(DEMO_USER.apiKey);
    expect(server.calls('/Auth/loginKey')).toBe(before);
  });
});

describe('colour', () => {
  const ESC = '\u001b[';

  it.runIf(pty.available)(`is used on a terminal${pty.skipNote}`, async () => {
    const result = await runInTerminal(['ping'], env());
    expect(result.code).toBe(0);
    expect(result.transcript).toContain(ESC);
  });

  it.runIf(pty.available)(`is never used with NO_COLOR, even on a terminal${pty.skipNote}`, async () => {
    const result = await runInTerminal(['ping'], { ...env(), NO_COLOR: '1' });
    expect(result.code).toBe(0);
    expect(result.transcript).toContain('is up');
    expect(result.transcript).not.toContain(ESC);
    const help = await runInTerminal(['--help'], { ...env(), NO_COLOR: '1' });
    expect(help.transcript).not.toContain(ESC);
  });

  it.runIf(pty.available)(
    `stays on a terminal, while escape sequences from the server are removed${pty.skipNote}`,
    async () => {
      server.inject('/Status/ping', {
        status: 200,
        body: JSON.stringify({
          success: false,
          errorCode: 99,
          errorMessage: 'boom \u001b]0;pwned\u0007 \u001b[2J\u001b[H \u009b31m \u001b]52;c;aGk=\u0007 end',
        }),
      });
      try {
        const result = await runInTerminal(['ping'], { ...env(), TESTMAX_RETRIES: '0' });
        expect(result.code).toBe(1);
        expect(result.transcript).toContain(`${ESC}31merror:`); // the CLI's own colour
        expect(result.transcript).toContain('boom');
        expect(result.transcript).toContain('end');
        for (const sequence of ['\u001b]', '\u0007', `${ESC}2J`, `${ESC}H`, '\u009b']) {
          expect(result.transcript).not.toContain(sequence);
        }
      } finally {
        server.clearFaults();
      }
    },
  );

  it('is not used when output is piped', async () => {
    const result = await sandbox.run(['ping'], { env: { TESTMAX_API_URL: server.url } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('is up');
    expect(result.stdout + result.stderr).not.toContain(ESC);
    const failed = await sandbox.run(['token'], { env: { TESTMAX_API_URL: server.url } });
    expect(failed.stderr).toMatch(/^error: /);
  });
});
