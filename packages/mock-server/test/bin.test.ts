import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_USER, startMockServer } from '../src/index.js';
import { call, login } from './helpers/api.js';

// The bin users run (package.json "bin": a shim that loads the build, which turbo's `test` task
// builds first).
const BIN = fileURLToPath(new URL('../bin/testmax-mock.js', import.meta.url));

function run(args: string[]): { child: ChildProcess; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return { child, output: () => ({ stdout, stderr }) };
}

/** Wait for the startup banner and return the URL it prints. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        child.stdout?.off('data', onData);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', () => reject(new Error(`testmax-mock exited without printing its URL: ${text}`)));
  });
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code as number | null;
}

describe('testmax-mock', () => {
  it('starts, prints the URL and demo credentials, serves the API, and exits 0 on SIGTERM', async () => {
    const { child, output } = run(['--port', '0']);
    const url = await listeningUrl(child);
    try {
      expect((await call(url, '/Status/ping')).json.success).toBe(true);
      await expect(login(url, DEMO_USER.userName, DEMO_USER.apiKey)).resolves.toEqual(expect.any(String));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitCode(child)).toBe(0);
    expect(output().stdout).toContain(DEMO_USER.userName);
    expect(output().stdout).toContain(DEMO_USER.apiKey);
    // The README's sample of this output is what it prints (on its port, 4010 there).
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const sample = /\$ npx -p @testmax\/mock-server testmax-mock --port 4010\n([\s\S]*?)\n```/.exec(
      readme,
    )?.[1];
    const banner = output().stdout.split('SIGTERM:')[0]!.trimEnd();
    expect(sample).toBe(banner.replaceAll(new URL(url).port, '4010'));
  });

  it('exits 0 on SIGINT (Ctrl+C) too', async () => {
    const { child } = run([]);
    await listeningUrl(child);
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
  });

  it('applies its flags: users replace the demo user, the key is never printed, body-style 401s', async () => {
    const { child, output } = run([
      '--user',
      'me@example.com:my-key',
      '--user',
      'you@example.com:your:key',
      '--unauthorized-style',
      'body',
      '--token-lifetime',
      '60',
      '--refresh-window',
      '60',
    ]);
    const url = await listeningUrl(child);
    try {
      const token = await login(url, 'you@example.com', 'your:key');
      const validate = await call(url, '/Auth/validate', { body: {}, token });
      // A 60 s refresh window on a 60 s token: validate always refreshes.
      expect(validate.json.token).not.toBe(token);
      expect((await call(url, '/Account/search', { body: {}, token: 'bad' })).status).toBe(200);
      const demo = await call(url, '/Auth/loginKey', {
        body: { userName: DEMO_USER.userName, apiKey: DEMO_USER.apiKey },
      });
      expect(demo.json.errorCode).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    await exitCode(child);
    expect(output().stdout).toContain('me@example.com');
    expect(output().stdout).not.toContain('my-key');
  });

  it('prints help and exits 0', async () => {
    const { child, output } = run(['--help']);
    expect(await exitCode(child)).toBe(0);
    expect(output().stdout).toMatch(/Usage: testmax-mock/);
    expect(output().stdout).toContain('--unauthorized-style');
    // Examples, and the exit codes the other tests here check one by one.
    expect(output().stdout).toMatch(/^Examples:\n {2}# .*\n {2}\$ testmax-mock --port 4010$/m);
    const codes = output().stdout.split(/^Exit codes:$/m)[1] ?? '';
    expect([...codes.matchAll(/^ {2}(\d+) /gm)].map((m) => m[1])).toEqual(['0', '1', '2']);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port', 'abc'], /--port must be a whole number/],
    [['--port', '70000'], /--port/],
    [['--token-lifetime', '0'], /--token-lifetime/],
    [['--unauthorized-style', 'loud'], /--unauthorized-style must be "status" or "body"/],
    [['--user', 'no-colon'], /--user must look like EMAIL:KEY/],
    [['--port'], /--port/],
    [['extra'], /positional/i],
  ])('rejects %j with one line on stderr and exit 2', async (args, message) => {
    const { child, output } = run(args);
    expect(await exitCode(child)).toBe(2);
    const { stderr, stdout } = output();
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });

  it('exits 1 with one line when the port is taken', async () => {
    await using taken = await startMockServer();
    const { child, output } = run(['--port', String(taken.port)]);
    expect(await exitCode(child)).toBe(1);
    expect(output().stderr).toMatch(/^testmax-mock: could not start: .*EADDRINUSE.*\n$/);
  });

  it('does not echo a malformed --user value, which may hold a key', async () => {
    const { child, output } = run(['--user', 'secret-key-no-email']);
    expect(await exitCode(child)).toBe(2);
    expect(output().stderr).not.toContain('secret-key-no-email');
  });
});

describe('testmax-mock --rate-limit', () => {
  it('enforces the rules given, saying so in the banner', async () => {
    const { child, output } = run(['--rate-limit', '2/60s', '--rate-limit', '1/60s:/Account/search']);
    const url = await listeningUrl(child);
    try {
      expect((await call(url, '/Status/ping')).status).toBe(200);
      expect((await call(url, '/Status/ping')).status).toBe(200);
      const limited = await call(url, '/Status/ping');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitCode(child)).toBe(0);
    expect(output().stdout).toContain('rate limits: 2/60s, 1/60s on /Account/search (per user)');
  });

  it('"gateway" means the gateway limits', async () => {
    const { child } = run(['--rate-limit', 'gateway']);
    const url = await listeningUrl(child);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 201; i += 1) statuses.push((await call(url, '/Status/ping')).status);
      expect(statuses.slice(0, 200).every((status) => status === 200)).toBe(true);
      expect(statuses[200]).toBe(429);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitCode(child)).toBe(0);
  });

  it.each(['fast', '0/60s', '10/0s'])('refuses --rate-limit %s with exit 2', async (value) => {
    const { child, output } = run(['--rate-limit', value]);
    expect(await exitCode(child)).toBe(2);
    expect(output().stderr).toMatch(/^testmax-mock: --rate-limit/);
  });
});
