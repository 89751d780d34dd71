import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNode } from '@testmax/test-support/run-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, jsonOf, runToFile, Sandbox } from './helpers.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await Sandbox.create();
});
afterAll(async () => {
  await sandbox.dispose();
});

const version = (
  JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

describe('help and version', () => {
  it('--help lists every command, the global flags and the exit codes', async () => {
    const result = await sandbox.run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatchSnapshot();
  });

  it.each(['ping', 'login', 'status', 'validate', 'token', 'logout', 'accounts', 'api', 'completion'])(
    '%s --help describes the command, with the global flags',
    async (command) => {
      const result = await sandbox.run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(
        /Global Options:[\s\S]*--base-url[\s\S]*--profile <name>[\s\S]*--json[\s\S]*--debug/,
      );
      expect(result.stdout).toMatchSnapshot();
    },
  );

  it('--help names the environment variables and exit code 130', async () => {
    const { stdout } = await sandbox.run(['--help']);
    for (const name of [
      'TESTMAX_USERNAME',
      'TESTMAX_API_KEY',
      'TESTMAX_API_URL',
      'TESTMAX_ACCOUNT_NAME',
      'TESTMAX_CONFIG',
      'TESTMAX_TIMEOUT_MS',
      'TESTMAX_RETRIES',
      'TESTMAX_PROFILE',
      'TESTMAX_KEYCHAIN=off',
      'TESTMAX_KEYCHAIN_TIMEOUT_MS',
    ]) {
      expect(stdout).toContain(name);
    }
    expect(stdout).toMatch(/^ {2}130 +cancelled at a prompt/m);
  });

  it('`help login` is the same as `login --help`', async () => {
    const viaHelp = await sandbox.run(['help', 'login']);
    const viaFlag = await sandbox.run(['login', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await sandbox.run([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(version);
    }
    // A lone --version is answered before the parser loads; with other flags commander answers.
    // Both must print the same thing.
    const lone = await sandbox.run(['--version']);
    const parsed = await sandbox.run(['--debug', '--version']);
    expect(parsed.code).toBe(0);
    expect(parsed.stdout).toBe(lone.stdout);
  });
});

describe('each command documents itself', () => {
  const COMMANDS = [
    'ping',
    'login',
    'status',
    'validate',
    'token',
    'logout',
    'accounts',
    'api',
    'completion',
  ];

  it.each(COMMANDS)('%s --help has examples and lists its exit codes', async (command) => {
    const { stdout } = await sandbox.run([command, '--help']);
    const examples = stdout.split(/^Examples:$/m)[1]?.split(/^Exit codes:$/m)[0] ?? '';
    expect(examples.match(/^ {2}\$ testmax /gm)?.length, 'at least one example').toBeGreaterThan(0);
    const codes = [...(stdout.split(/^Exit codes:$/m)[1] ?? '').matchAll(/^ {2}(\d+) +\S/gm)].map(
      (m) => m[1],
    );
    // 0 and the usage error at least, each once, in order.
    expect(codes).toEqual(expect.arrayContaining(['0', '2']));
    expect(codes).toEqual([...codes].sort((a, b) => Number(a) - Number(b)));
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(['', ...COMMANDS.map((command) => `${command} `)])(
    'the examples of `testmax %s--help` fit a terminal and a docs page (66 characters a line)',
    async (command) => {
      const { stdout } = await sandbox.run([...(command ? [command.trim()] : []), '--help']);
      const examples = stdout.split(/^Examples:$/m)[1]!.split(/^\S/m)[0]!;
      const lines = examples.split('\n').filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThan(0);
      // "  $ " or "    " comes before each line of an example; the docs show the rest.
      for (const line of lines) expect(line.slice(4), line).toHaveLength(Math.min(line.slice(4).length, 66));
    },
  );

  it('status, validate and logout say what each of their exit codes means', async () => {
    expect((await sandbox.run(['status', '--help'])).stdout).toMatch(
      /^ {2}4 +not logged in \(no saved session\)$/m,
    );
    expect((await sandbox.run(['validate', '--help'])).stdout).toMatch(/^ {2}3 +the token was refused/m);
    expect((await sandbox.run(['logout', '--help'])).stdout).toMatch(
      /^ {2}5 +the server could not be asked: the token is kept, run logout again$/m,
    );
  });

  it('completion --help names the choices once', async () => {
    const { stdout } = await sandbox.run(['completion', '--help']);
    const argument = stdout.split('\n').find((line) => line.trimStart().startsWith('shell '))!;
    expect(argument).toMatch(/choices: "bash", "zsh", "fish"/);
    expect(argument.match(/bash/g)).toHaveLength(1);
  });
});

describe('usage errors exit 2', () => {
  it('no command: the help on stdout and exit 0, as gh does; with --json, one usage-error document', async () => {
    const result = await sandbox.run([]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe((await sandbox.run(['--help'])).stdout);
    const json = await sandbox.run(['--json']);
    expect(json.code).toBe(2);
    expect(jsonOf(json)).toMatchObject({
      ok: false,
      error: {
        code: 'usage',
        exitCode: 2,
        message: 'No command given.',
        hint: expect.stringContaining('--help'),
      },
    });
    expect(json.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('`help frob`: unknown command, in one line, exit 2; with --json, one document', async () => {
    const result = await sandbox.run(['help', 'frob']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("unknown command 'frob'");
    expect(result.stderr).not.toContain('Usage:');
    expect((await sandbox.run(['help', 'statu'])).stderr).toContain(
      "unknown command 'statu' (did you mean status?)",
    );
    const json = await sandbox.run(['help', 'frob', '--json']);
    expect(json.code).toBe(2);
    expect(jsonOf(json)).toMatchObject({
      ok: false,
      error: { code: 'usage', exitCode: 2, message: expect.stringContaining("unknown command 'frob'") },
    });
  });

  it('`help` alone prints the help on stdout, exit 0', async () => {
    const help = await sandbox.run(['help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe((await sandbox.run(['--help'])).stdout);
  });

  it('an unknown command says so in one line and points at --help', async () => {
    const result = await sandbox.run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stderr).toContain('testmax --help');
  });

  it("a near miss gets commander's suggestion on the same line", async () => {
    const result = await sandbox.run(['statu']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: unknown command 'statu' (did you mean status?). Run `testmax --help` for the list of commands.\n",
    );
    const option = await sandbox.run(['status', '--jsno']);
    expect(option.stderr).toBe(
      "error: unknown option '--jsno' (did you mean --json?). Run `testmax status --help` for its usage.\n",
    );
  });

  it("a usage error inside a command points at that command's own help", async () => {
    for (const [args, command] of [
      [['login', '--frob'], 'login'],
      [['completion'], 'completion'],
      [['completion', 'tcsh'], 'completion'],
      [['accounts', '--active=yes'], 'accounts'],
      [['api'], 'api'],
      [['api', 'Status/ping', '--frob'], 'api'],
    ] as const) {
      const result = await sandbox.run([...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`Run \`testmax ${command} --help\` for its usage\\.\n$`));
      const json = jsonOf(await sandbox.run([...args, '--json']));
      expect(json).toMatchObject({ error: { hint: `Run \`testmax ${command} --help\` for its usage.` } });
    }
  });

  it('never repeats a word that could be a pasted key or token', async () => {
    const key = sandbox.secret('tmx_pasted_instead_of_a_command_0001');
    const jwt = sandbox.secret('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl');
    const short = sandbox.secret('tmx_short');
    for (const args of [[key], [jwt], [short], ['completion', key], ['status', `--${key}`]]) {
      const result = await sandbox.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain('not repeated here in case it is a secret');
      const json = await sandbox.run([...args, '--json']);
      expect(jsonOf(json)).toMatchObject({ ok: false, error: { code: 'usage' } });
    }
  });

  it('an unknown option in --json mode gives one JSON error document on stdout', async () => {
    const result = await sandbox.run(['status', '--json', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(jsonOf(result)).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: 'usage',
        exitCode: 2,
        message: expect.stringContaining('--frobnicate'),
      }),
    });
  });

  it('refuses an API key in argv, explains the stdin way, and never repeats the value', async () => {
    const key = sandbox.secret('tmx_argv_key_that_must_not_echo_1234');
    for (const args of [
      ['login', '--username', 'a@b.c', '--api-key', key],
      ['login', `--api-key=${key}`],
    ]) {
      const result = await sandbox.run(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--api-key-stdin');
      expect(result.stderr).toContain('never accepted on the command line');
    }
  });

  it('does not echo the value of a mistyped option such as --apikey=…', async () => {
    const key = sandbox.secret('tmx_mistyped_option_value_5678');
    const result = await sandbox.run(['login', `--apikey=${key}`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--apikey=…'");
  });

  it('a missing option value is a usage error', async () => {
    const result = await sandbox.run(['login', '--username']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--username');
  });

  it('completion needs a known shell', async () => {
    expect((await sandbox.run(['completion'])).code).toBe(2);
    const result = await sandbox.run(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bash, zsh, fish');
  });
});

describe('output that cannot be written', () => {
  const full = '/dev/full';
  it.skipIf(!existsSync(full))(
    `--help, --version and completion > /dev/full: one line, exit 1, no stack trace${existsSync(full) ? '' : ' (skipped: no /dev/full)'}`,
    async () => {
      for (const args of [['--help'], ['--version'], ['completion', 'bash'], ['status', '--help']]) {
        const result = await runToFile(sandbox, args, full);
        expect(result.stderr, args.join(' ')).toBe('testmax: cannot write output (ENOSPC)\n');
        expect(result.code, args.join(' ')).toBe(1);
      }
    },
  );
});

describe('a reader that closes the pipe early', () => {
  it('`testmax completion bash | head -1`: no EPIPE stack trace, exit 0', async () => {
    // Our end is closed before the CLI writes: its write then fails with EPIPE.
    const result = await runNode(BIN, ['completion', 'bash'], { env: sandbox.env, stdout: 'closed' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
