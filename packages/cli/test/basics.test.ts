import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf, Sandbox } from './helpers.js';

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

  it.each(['ping', 'login', 'status', 'validate', 'token', 'logout', 'accounts', 'completion'])(
    '%s --help describes the command',
    async (command) => {
      const result = await sandbox.run([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatchSnapshot();
    },
  );

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

describe('usage errors exit 2', () => {
  it('no command: help on stderr, exit 2; with --json, one error document', async () => {
    const result = await sandbox.run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: testmax');
    const json = await sandbox.run(['--json']);
    expect(json.code).toBe(2);
    expect(jsonOf(json)).toMatchObject({ ok: false, error: { code: 'usage', exitCode: 2 } });
  });

  it('an unknown command says so in one line and points at --help', async () => {
    const result = await sandbox.run(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stderr).toContain('testmax --help');
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

describe('completion', () => {
  it('bash: a valid script that completes commands and per-command flags', async () => {
    const result = await sandbox.run(['completion', 'bash']);
    expect(result.code).toBe(0);
    const script = join(sandbox.home, 'testmax.bash');
    await import('node:fs/promises').then((fs) => fs.writeFile(script, result.stdout));
    // Drive the completion function the way bash would and read COMPREPLY back.
    const complete = (line: string) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$1"; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _testmax; printf '%s\\n' "\${COMPREPLY[@]}"`,
          'bash',
          script,
        ],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n');
    expect(complete("testmax ''")).toEqual(
      expect.arrayContaining([
        'ping',
        'login',
        'status',
        'validate',
        'token',
        'logout',
        'accounts',
        'completion',
      ]),
    );
    expect(complete('testmax lo')).toEqual(['login', 'logout']);
    expect(complete('testmax login --')).toEqual(
      expect.arrayContaining(['--username', '--api-key-stdin', '--json']),
    );
    expect(complete('testmax login --')).not.toContain('--api-key');
    expect(complete("testmax --base-url http://x completion ''")).toEqual(
      expect.arrayContaining(['bash', 'zsh', 'fish']),
    );
  });

  it('zsh and fish scripts name every command', async () => {
    for (const shell of ['zsh', 'fish']) {
      const result = await sandbox.run(['completion', shell]);
      expect(result.code).toBe(0);
      for (const command of ['ping', 'login', 'status', 'validate', 'token', 'logout', 'accounts']) {
        expect(result.stdout).toContain(command);
      }
      expect(result.stdout).toContain('api-key-stdin');
      expect(result.stdout).not.toMatch(/api-key(?!-stdin)/);
    }
    expect((await sandbox.run(['completion', 'zsh'])).stdout.startsWith('#compdef testmax')).toBe(true);
  });
});

describe('a reader that closes the pipe early', () => {
  it('`testmax completion bash | head -1`: no EPIPE stack trace, exit 0', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('./helpers.js');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'completion', 'bash'], { env: sandbox.env });
      // Close our end before the CLI writes: its write then fails with EPIPE.
      child.stdout.destroy();
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
