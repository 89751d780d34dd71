import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../dist/main.js';
import { Sandbox } from './helpers.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

let server: MockServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startServer();
  sandbox = await Sandbox.create();
});

afterAll(async () => {
  await server.close();
  await sandbox.dispose();
});

/** A stream that keeps what was written to it, and says when some text has appeared. */
function recorder(): PassThrough & { text: () => string; appears: (needle: string) => Promise<void> } {
  const stream = new PassThrough();
  let text = '';
  const waiting: { needle: string; resolve: () => void }[] = [];
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    for (const wait of waiting.filter((w) => text.includes(w.needle))) {
      waiting.splice(waiting.indexOf(wait), 1);
      wait.resolve();
    }
  });
  return Object.assign(stream, {
    text: () => text,
    appears: (needle: string) =>
      text.includes(needle)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.push({ needle, resolve })),
  });
}

describe('prompts in process, through the injected streams (no pty)', () => {
  it('login asks for the key on the injected stderr, in raw mode, never echoes it, and logs in', async () => {
    // A terminal as the CLI sees one: isTTY, and raw mode it can switch (recorded here).
    const rawModes: boolean[] = [];
    const input = Object.assign(new PassThrough(), {
      isTTY: true,
      isRaw: false,
      setRawMode(mode: boolean) {
        rawModes.push(mode);
        input.isRaw = mode;
        return input;
      },
    });
    const stdout = recorder();
    const stderr = recorder();
    const run = main(['node', 'testmax', 'login', '--username', DEMO_USER.userName], {
      env: { ...sandbox.env, TESTMAX_API_URL: server.url },
      cwd: sandbox.cwd,
      input,
      streams: { stdout, stderr },
    });
    const asked = stderr.appears('(input hidden): ');
    // The command ending before it asks is a failure, not a hang.
    const first = await Promise.race([asked.then(() => 'asked' as const), run]);
    expect(first, stderr.text()).toBe('asked');
    expect(rawModes).toEqual([true]);
    input.write(`${DEMO_USER.apiKey}\r`);
    expect(await run, stderr.text()).toBe(0);

    expect(stderr.text()).toContain(`API key for ${DEMO_USER.userName} (input hidden): `);
    expect(rawModes).toEqual([true, false]);
    const shown = `${stdout.text()}${stderr.text()}`;
    expect(shown).toContain(`Logged in to ${server.url} as ${DEMO_USER.userName}`);
    expect(shown).not.toContain(DEMO_USER.apiKey.slice(0, 8));
    expect(await sandbox.sessions()).toHaveLength(1);
  });
});
