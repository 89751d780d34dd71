import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type StartedProcess, startProcess } from '@testmax/test-support/processes';
import { runNode } from '@testmax/test-support/run-node';
import { describe, expect, it } from 'vitest';
import { DEMO_USER, startMockServer } from '../src/index.js';
import { call, login } from './helpers/api.js';

// The bin users run (package.json "bin": a shim that loads the build, which turbo's `test` task
// builds first).
const BIN = fileURLToPath(new URL('../bin/testmax-mock.js', import.meta.url));

/** The bin as a server: ready once its startup banner prints the URL (`ready`). */
function serve(args: string[]): Promise<StartedProcess> {
  return startProcess({
    command: process.execPath,
    args: [BIN, ...args],
    ready: /listening on (http:\/\/\S+)/,
  });
}

/** The bin run to its end (help, refused flags, a failed start). */
const run = (args: string[]) => runNode(BIN, args);

describe('testmax-mock', () => {
  it('starts, prints the URL and demo credentials, serves the API, and exits 0 on SIGTERM', async () => {
    const server = await serve(['--port', '0']);
    const url = server.ready;
    try {
      expect((await call(url, '/Status/ping')).json.success).toBe(true);
      await expect(login(url, DEMO_USER.userName, DEMO_USER.apiKey)).resolves.toEqual(expect.any(String));
    } finally {
      server.child.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
    expect(server.stdout()).toContain(DEMO_USER.userName);
    expect(server.stdout()).toContain(DEMO_USER.apiKey);
    // The README's sample of this output is what it prints (on its port, 4010 there).
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const sample = /\$ npx -p @testmax\/mock-server testmax-mock --port 4010\n([\s\S]*?)\n```/.exec(
      readme,
    )?.[1];
    const banner = server.stdout().split('SIGTERM:')[0]!.trimEnd();
    expect(sample).toBe(banner.replaceAll(new URL(url).port, '4010'));
  });

  it('exits 0 on SIGINT (Ctrl+C) too', async () => {
    const server = await serve([]);
    server.child.kill('SIGINT');
    expect((await server.exited).code).toBe(0);
  });

  it('applies its flags: users replace the demo user, the key is never printed, body-style 401s', async () => {
    const server = await serve([
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
    const url = server.ready;
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
      server.child.kill('SIGTERM');
    }
    await server.exited;
    expect(server.stdout()).toContain('me@example.com');
    expect(server.stdout()).not.toContain('my-key');
  });

  it('prints help and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: testmax-mock/);
    expect(stdout).toContain('--unauthorized-style');
    // Examples, and the exit codes the other tests here check one by one.
    expect(stdout).toMatch(/^Examples:\n {2}# .*\n {2}\$ testmax-mock --port 4010$/m);
    const codes = stdout.split(/^Exit codes:$/m)[1] ?? '';
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
    const { code, stderr, stdout } = await run(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });

  it('exits 1 with one line when the port is taken', async () => {
    await using taken = await startMockServer();
    const { code, stderr } = await run(['--port', String(taken.port)]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^testmax-mock: could not start: .*EADDRINUSE.*\n$/);
  });

  it('does not echo a malformed --user value, which may hold a key', async () => {
    const { code, stderr } = await run(['--user', 'secret-key-no-email']);
    expect(code).toBe(2);
    expect(stderr).not.toContain('secret-key-no-email');
  });
});

describe('testmax-mock --rate-limit', () => {
  it('enforces the rules given, saying so in the banner', async () => {
    const server = await serve(['--rate-limit', '2/60s', '--rate-limit', '1/60s:/Account/search']);
    const url = server.ready;
    try {
      expect((await call(url, '/Status/ping')).status).toBe(200);
      expect((await call(url, '/Status/ping')).status).toBe(200);
      const limited = await call(url, '/Status/ping');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
    expect(server.stdout()).toContain('rate limits: 2/60s, 1/60s on /Account/search (per user)');
  });

  it('"gateway" means the gateway limits', async () => {
    const server = await serve(['--rate-limit', 'gateway']);
    const url = server.ready;
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 201; i += 1) statuses.push((await call(url, '/Status/ping')).status);
      expect(statuses.slice(0, 200).every((status) => status === 200)).toBe(true);
      expect(statuses[200]).toBe(429);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
  });

  it.each(['fast', '0/60s', '10/0s'])('refuses --rate-limit %s with exit 2', async (value) => {
    const { code, stderr } = await run(['--rate-limit', value]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^testmax-mock: --rate-limit/);
  });
});
