import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tool } from '@testmax/test-support/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Sandbox } from './helpers.js';
import { runInPty } from './pty.js';

// Completion of `testmax api` (the spec's paths, each path's fields) and of --profile (the
// config file's profile names, asked of `testmax __profiles` when Tab is pressed), driven by
// the shells themselves. A `testmax` on PATH runs the built binary in the sandbox. A shell,
// bash-completion or python3 (the pseudo-terminal) that is missing skips its tests loudly on a
// laptop and fails the file in CI (test-support's tools rule).

const bashCompletion = tool('bash-completion');
const BASH_COMPLETION = bashCompletion.path ?? '';
const pty = tool('python3');
const zsh = tool('zsh');
const fish = tool('fish');

let sandbox: Sandbox;
let bin: string;
const scripts: Record<'bash' | 'zsh' | 'fish', string> = { bash: '', zsh: '', fish: '' };

beforeAll(async () => {
  sandbox = await Sandbox.create();
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const result = await sandbox.run(['completion', shell]);
    expect(result.code, result.stderr).toBe(0);
    scripts[shell] = join(sandbox.home, `testmax.${shell}`);
    await writeFile(scripts[shell], result.stdout);
  }
  bin = join(sandbox.home, 'bin');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'testmax'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(bin, 'testmax'), 0o755);
  await sandbox.writeConfig({ profiles: { paper: {}, live: {} } } as unknown as Record<string, string>);
});
afterAll(async () => {
  await sandbox.dispose();
});

const env = () => ({ ...sandbox.env, PATH: `${bin}:${sandbox.env.PATH}` });

describe('bash', () => {
  /** Call _testmax as bash does, COMP_WORDS split at its word breaks (':' and '='). */
  function complete(line: string): string[] {
    const program = [
      'source "$1"; shift',
      `COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; shift`,
      `COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))`,
      `_testmax; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join('\n');
    const words = line.split(/(?<=[=:])|(?=[=:])| +/).filter((w, i, all) => w !== '' || i === all.length - 1);
    if (line.endsWith(' ')) words.push('');
    return execFileSync('bash', ['-c', program, 'bash', scripts.bash, line, ...words], {
      encoding: 'utf8',
      env: env(),
    })
      .split('\n')
      .filter(Boolean);
  }

  it('offers the spec paths testmax api calls (not the session endpoints), then their fields', () => {
    expect(complete('testmax api ')).toEqual(['Status/ping', 'Account/search']);
    expect(complete('testmax api Acc')).toEqual(['Account/search']);
    expect(complete('testmax api Account/search -f ')).toEqual(['onlyActiveAccounts=']);
    expect(complete('testmax api Account/search -F ')).toEqual([
      'onlyActiveAccounts=',
      'onlyActiveAccounts=true',
      'onlyActiveAccounts=false',
    ]);
    // After the "=", bash replaces only what follows it.
    expect(complete('testmax api Account/search -F onlyActiveAccounts=t')).toEqual(['true']);
    expect(complete('testmax api /Account/search --raw-field o')).toEqual(['onlyActiveAccounts=']);
    expect(complete('testmax api Status/ping -F ')).toEqual([]);
    expect(complete('testmax api -X p')).toEqual(['POST', 'PUT', 'PATCH']);
    expect(complete('testmax api Account/search --in')).toEqual(['--input', '--include']);
  });

  it.runIf(bashCompletion.available)(
    `with bash-completion loaded, a value after "=" completes without repeating the name${bashCompletion.skipNote}`,
    () => {
      const run = (line: string, words: string[]) =>
        execFileSync(
          'bash',
          [
            '-c',
            `source ${BASH_COMPLETION}; source "$1"; shift; COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; shift; COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _testmax; printf '%s\\n' "\${COMPREPLY[@]}"`,
            'bash',
            scripts.bash,
            line,
            ...words,
          ],
          { encoding: 'utf8', env: env() },
        )
          .split('\n')
          .filter(Boolean);
      const typed = ['testmax', 'api', 'Account/search', '-F', 'onlyActiveAccounts', '='];
      expect(run('testmax api Account/search -F onlyActiveAccounts=', typed)).toEqual(['true', 'false']);
      expect(run('testmax api Account/search -F onlyActiveAccounts=f', [...typed, 'f'])).toEqual(['false']);
    },
  );

  it('--profile offers the config file profile names', () => {
    expect(complete('testmax --profile ')).toEqual(['paper', 'live']);
    expect(complete('testmax status --profile p')).toEqual(['paper']);
  });
});

describe('zsh', () => {
  it.runIf(zsh.available && pty.available)(
    `Tab: api paths, fields, and profile names${zsh.skipNote || pty.skipNote}`,
    async () => {
      const zdotdir = join(sandbox.home, 'zsh');
      await mkdir(zdotdir, { recursive: true });
      await writeFile(
        join(zdotdir, '.zshrc'),
        [
          "PS1='PROMPT> '",
          'autoload -Uz compinit && compinit -u -D',
          `source ${scripts.zsh}`,
          'testmax() { print -r -- "ARGS<$*>" }',
        ].join('\n'),
      );
      const lines = ['testmax api Acc\t', 'testmax api Account/search -F onlyA\t', 'testmax --profile pa\t'];
      const steps = [...lines, 'exit'].map((line) => ({ waitFor: 'PROMPT> ', send: `${line}\r` }));
      const result = await runInPty(['zsh', '-i'], { ...env(), ZDOTDIR: zdotdir, TERM: 'dumb' }, steps);
      expect(result.stepsDone, result.transcript).toBe(steps.length);
      const received = [...result.transcript.matchAll(/ARGS<([^>]*)>/g)].map((m) => m[1]);
      expect(received).toEqual([
        'api Account/search',
        'api Account/search -F onlyActiveAccounts=',
        '--profile paper',
      ]);
    },
  );
});

describe('fish', () => {
  const candidates = (line: string) =>
    execFileSync('fish', ['--no-config', '-c', `source $argv[1]; complete -C '${line}'`, scripts.fish], {
      encoding: 'utf8',
      env: env(),
    })
      .split('\n')
      .filter(Boolean)
      .map((entry) => entry.split('\t')[0]);

  it.runIf(fish.available)(`complete -C: api paths, fields, and profile names${fish.skipNote}`, () => {
    expect(candidates('testmax api ').sort()).toEqual(['Account/search', 'Status/ping']);
    expect(candidates('testmax api Account/search -f ')).toEqual(['onlyActiveAccounts=']);
    expect(candidates('testmax api Account/search -F ').sort()).toEqual([
      'onlyActiveAccounts=',
      'onlyActiveAccounts=false',
      'onlyActiveAccounts=true',
    ]);
    // Once the path is there, paths are not offered again.
    expect(candidates('testmax api Account/search ')).not.toContain('Status/ping');
    expect(candidates('testmax --profile ').sort()).toEqual(['live', 'paper']);
  });
});
