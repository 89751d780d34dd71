import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, Sandbox } from './helpers.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

// These tests give the CLI a real terminal (a pseudo-terminal from python3's pty module, no
// native addon), type at its prompts and read back everything the terminal displayed.

const PTY_RUN = join(import.meta.dirname, 'fixtures', 'pty-run.py');

interface PtyResult {
  transcript: string;
  code: number | null;
  stepsDone: number;
}

function runInTerminal(
  args: string[],
  env: Record<string, string>,
  steps: { waitFor: string; send?: string }[] = [],
  typed: string[] = [],
): Promise<PtyResult> {
  const config = JSON.stringify({ argv: [process.execPath, BIN, ...args], steps, timeoutSec: 60 });
  // What to type travels in the environment, never in an argv that `ps` could show.
  const sendEnv = Object.fromEntries(typed.map((text, i) => [`PTY_SEND_${i}`, text]));
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      [PTY_RUN, config],
      { env: { ...env, ...sendEnv }, timeout: 90_000 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(stdout) as PtyResult);
      },
    );
  });
}

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

describe('the hidden API-key prompt', () => {
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
});

describe('colour', () => {
  const ESC = '\u001b[';

  it('is used on a terminal', async () => {
    const result = await runInTerminal(['ping'], env());
    expect(result.code).toBe(0);
    expect(result.transcript).toContain(ESC);
  });

  it('is never used with NO_COLOR, even on a terminal', async () => {
    const result = await runInTerminal(['ping'], { ...env(), NO_COLOR: '1' });
    expect(result.code).toBe(0);
    expect(result.transcript).toContain('is up');
    expect(result.transcript).not.toContain(ESC);
    const help = await runInTerminal(['--help'], { ...env(), NO_COLOR: '1' });
    expect(help.transcript).not.toContain(ESC);
  });

  it('is not used when output is piped', async () => {
    const result = await sandbox.run(['ping'], { env: { TESTMAX_API_URL: server.url } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('is up');
    expect(result.stdout + result.stderr).not.toContain(ESC);
    const failed = await sandbox.run(['token'], { env: { TESTMAX_API_URL: server.url } });
    expect(failed.stderr).toMatch(/^error: /);
  });
});
