import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runNode } from '@testmax/test-support/run-node';
import { secretServiceAvailable, startSecretService } from '@testmax/test-support/secret-service';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { jsonOf, Sandbox } from './helpers.js';
import { DEMO_USER, type MockServer, startServer } from './server.js';

// The README's sample outputs are real: each block marked `<!-- sample: name -->` is compared
// with what the command prints today, with only what varies from run to run (ports, paths,
// times) set aside.

const README = join(import.meta.dirname, '..', 'README.md');

async function sample(name: string): Promise<string> {
  const text = await readFile(README, 'utf8');
  const match = new RegExp(`<!-- sample: ${name}\\b[^>]*-->\\n( *)\`\`\`\\w*\\n([\\s\\S]*?)\\n *\`\`\``).exec(
    text,
  );
  if (!match) throw new Error(`no sample "${name}" in the README`);
  // A block inside a list item is indented as its fence is: the sample is what is inside.
  const indent = match[1]!.length;
  return match[2]!
    .split('\n')
    .map((line) => line.slice(Math.min(indent, /^ */.exec(line)![0].length)))
    .join('\n');
}

/** What varies between runs, replaced by the same placeholder on both sides. */
function steady(text: string): string {
  return text
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/\S*\/testmax-demo-\w+/g, '<home>')
    .replace(/token-[0-9a-f]{32}\.json/g, 'token-<hash>.json')
    .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/g, '<time>')
    .replace(/\(in \d+h \d+m\)/g, '(in <duration>)')
    .replace(/\(\d+ ms\)/g, '(<ms> ms)')
    .replace(/\(\d+ characters;/g, '(<n> characters;');
}

async function demo(): Promise<string> {
  const { code, stdout, stderr } = await runNode(join(import.meta.dirname, '..', 'scripts', 'demo.mjs'), [], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', TZ: 'UTC' },
    killAfterMs: 120_000,
  });
  if (code !== 0) throw new Error(`demo exited ${code}\n${stdout}\n${stderr}`);
  return stdout;
}

let server: MockServer;
let sandbox: Sandbox;
beforeAll(async () => {
  server = await startServer();
  sandbox = await Sandbox.create();
});
afterAll(async () => {
  await sandbox.dispose();
  await server.close();
});

describe('the README shows real output', () => {
  it('pnpm demo, step by step', async () => {
    expect(steady(await sample('demo'))).toBe(steady((await demo()).trimEnd()));
  });

  it('testmax accounts', async () => {
    const env = { TESTMAX_API_URL: server.url };
    await sandbox.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
      stdin: DEMO_USER.apiKey,
      env,
    });
    const accounts = await sandbox.run(['accounts'], { env });
    expect(accounts.code, accounts.stderr).toBe(0);
    expect(await sample('accounts')).toBe(accounts.stdout.trimEnd());
  });

  // A login on a desktop keeps the key in the OS keychain: here a real Secret Service on a
  // private bus (never the developer's own), as status then reports it.
  it.runIf(secretServiceAvailable())('testmax status --json, the key in the OS keychain', async () => {
    await using service = await startSecretService();
    const env = {
      TESTMAX_API_URL: server.url,
      DBUS_SESSION_BUS_ADDRESS: service.env.DBUS_SESSION_BUS_ADDRESS!,
      TESTMAX_KEYCHAIN: '',
    };
    const keyring = await Sandbox.create();
    onTestFinished(() => keyring.dispose());
    const login = await keyring.run(['login', '--username', DEMO_USER.userName, '--api-key-stdin'], {
      stdin: DEMO_USER.apiKey,
      env,
    });
    expect(login.code, login.stderr).toBe(0);
    const status = await keyring.run(['status', '--json'], { env });
    expect(status.code, status.stderr).toBe(0);
    // Paths, URLs and times stand for themselves in the README; the rest is word for word.
    const shape = (doc: unknown): unknown =>
      JSON.parse(JSON.stringify(doc), (_key, value) =>
        typeof value !== 'string'
          ? value
          : /^https?:\/\//.test(value)
            ? '<url>'
            : value.startsWith('/')
              ? '<path>'
              : /^\d{4}-\d{2}-\d{2}T/.test(value)
                ? '<time>'
                : value,
      );
    expect(shape(JSON.parse(await sample('status-json')))).toEqual(shape(jsonOf(status)));
  });

  it('a --json failure document', async () => {
    const other = await Sandbox.create();
    try {
      const result = await other.run(['accounts', '--json']);
      expect(result.code).toBe(4);
      expect(await sample('accounts-not-logged-in')).toBe(result.stdout.trimEnd());
    } finally {
      await other.dispose();
    }
  });
});
