import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tool } from '@testmax/test-support/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox } from './helpers.js';
import { runInPty } from './pty.js';

// The completion scripts are checked by the shells themselves: each parses its script, and
// completion is driven the way a user drives it (Tab in an interactive bash or zsh on a
// pseudo-terminal; fish's own `complete -C`). A shell, bash-completion or python3 (the
// pseudo-terminal) that is missing skips its tests loudly on a laptop and fails the file in CI.

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
  'help',
];
const bashCompletion = tool('bash-completion');
const BASH_COMPLETION = bashCompletion.path ?? '';
const pty = tool('python3');
const zsh = tool('zsh');
const fish = tool('fish');

let sandbox: Sandbox;
const scripts: Record<'bash' | 'zsh' | 'fish', string> = { bash: '', zsh: '', fish: '' };

beforeAll(async () => {
  sandbox = await Sandbox.create();
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const result = await sandbox.run(['completion', shell]);
    expect(result.code, result.stderr).toBe(0);
    scripts[shell] = join(sandbox.home, `testmax.${shell}`);
    await writeFile(scripts[shell], result.stdout);
  }
});
afterAll(async () => {
  await sandbox.dispose();
});

/**
 * An interactive shell on a pseudo-terminal, with the completion loaded and `testmax` defined
 * as a function that prints its arguments: each line is typed with its Tabs, then Enter, and
 * what the command received is what completion produced.
 */
async function typeLines(argv: string[], env: Record<string, string>, lines: string[]): Promise<string[]> {
  const steps = [...lines, 'exit'].map((line) => ({ waitFor: 'PROMPT> ', send: `${line}\r` }));
  const result = await runInPty(argv, env, steps);
  expect(result.stepsDone, result.transcript).toBe(steps.length);
  return [...result.transcript.matchAll(/ARGS<([^>]*)>/g)].map((m) => m[1]!);
}

describe('bash', () => {
  it('bash -n parses the script', () => {
    execFileSync('bash', ['-n', scripts.bash]);
  });

  /**
   * Call the completion function as bash does: COMP_WORDS split at COMP_WORDBREAKS (so ':' and
   * '=' are words of their own), COMP_CWORD, and the raw COMP_LINE / COMP_POINT.
   */
  function complete(words: string[], line: string, withBashCompletion = false): string[] {
    const program = [
      withBashCompletion ? `source ${BASH_COMPLETION}` : '',
      'source "$1"; shift',
      `COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; shift`,
      `COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))`,
      `_testmax; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ].join('\n');
    return execFileSync('bash', ['-c', program, 'bash', scripts.bash, line, ...words], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  }

  it('completes commands, per-command flags and global flags', () => {
    expect(complete(['testmax', ''], 'testmax ')).toEqual(expect.arrayContaining(COMMANDS));
    expect(complete(['testmax', 'lo'], 'testmax lo')).toEqual(['login', 'logout']);
    const login = complete(['testmax', 'login', '--'], 'testmax login --');
    expect(login).toEqual(expect.arrayContaining(['--username', '--api-key-stdin', '--json']));
    expect(login).not.toContain('--api-key');
    expect(complete(['testmax', 'help', 'lo'], 'testmax help lo')).toEqual(['login', 'logout']);
  });

  function urlSplits(withBc: boolean): void {
    // `testmax --base-url https://x.example:8443/api completion ` as bash splits it: the
    // command is still found, so its choices are offered (and not the command names).
    const spaced = ['testmax', '--base-url', 'https', ':', '//x.example', ':', '8443/api', 'completion', ''];
    const shells = complete(spaced, 'testmax --base-url https://x.example:8443/api completion ', withBc);
    expect(shells).toEqual(expect.arrayContaining(['bash', 'zsh', 'fish']));
    expect(shells).not.toContain('login');
    const inline = ['testmax', '--base-url', '=', 'https', ':', '//x.example', 'logi'];
    expect(complete(inline, 'testmax --base-url=https://x.example logi', withBc)).toEqual(['login']);
    const flags = ['testmax', '--base-url', 'https', ':', '//x', 'login', '--us'];
    expect(complete(flags, 'testmax --base-url https://x login --us', withBc)).toEqual(['--username']);
    // The value itself is the user's to type.
    const value = ['testmax', '--base-url', 'https', ':', '//x'];
    expect(complete(value, 'testmax --base-url https://x', withBc)).toEqual([]);
  }

  it('after --base-url https://… and --base-url=…, from COMP_LINE', () => {
    urlSplits(false);
  });

  it.runIf(bashCompletion.available)(
    `after --base-url https://… and --base-url=…, with bash-completion's _get_comp_words_by_ref${bashCompletion.skipNote}`,
    () => {
      urlSplits(true);
    },
  );

  async function interactive(withBc: boolean): Promise<string[]> {
    const rc = join(sandbox.home, `bashrc-${withBc}`);
    await writeFile(
      rc,
      [
        "PS1='PROMPT> '",
        withBc ? `source ${BASH_COMPLETION}` : '',
        `source ${scripts.bash}`,
        `testmax() { printf 'ARGS<%s>\\n' "$*"; }`,
      ].join('\n'),
    );
    return typeLines(['bash', '--noprofile', '--rcfile', rc, '-i'], { ...sandbox.env, TERM: 'dumb' }, [
      'testmax --base-url https://x.example:8443/api logi\t--us\t',
      'testmax --base-url=https://x.example comp\tz\t',
      'testmax he\tlogo\t',
    ]);
  }

  const expected = [
    '--base-url https://x.example:8443/api login --username',
    '--base-url=https://x.example completion zsh',
    'help logout',
  ];

  it.runIf(pty.available)(
    `Tab in an interactive bash, after a URL with ":" and "="${pty.skipNote}`,
    async () => {
      expect(await interactive(false)).toEqual(expected);
    },
  );

  it.runIf(bashCompletion.available && pty.available)(
    `the same with bash-completion loaded (_get_comp_words_by_ref)${bashCompletion.skipNote || pty.skipNote}`,
    async () => {
      expect(await interactive(true)).toEqual(expected);
    },
  );
});

describe('zsh', () => {
  it.runIf(zsh.available)(`zsh -n parses the script${zsh.skipNote}`, () => {
    execFileSync('zsh', ['-n', scripts.zsh]);
    expect(execFileSync('head', ['-1', scripts.zsh], { encoding: 'utf8' })).toBe('#compdef testmax\n');
  });

  it.runIf(zsh.available && pty.available)(
    `Tab in an interactive zsh: commands, help, and global flags after a command${zsh.skipNote || pty.skipNote}`,
    async () => {
      const zdotdir = join(sandbox.home, 'zsh');
      await import('node:fs/promises').then((fs) => fs.mkdir(zdotdir, { recursive: true }));
      await writeFile(
        join(zdotdir, '.zshrc'),
        [
          "PS1='PROMPT> '",
          'autoload -Uz compinit && compinit -u -D',
          `source ${scripts.zsh}`,
          'testmax() { print -r -- "ARGS<$*>" }',
        ].join('\n'),
      );
      const received = await typeLines(['zsh', '-i'], { ...sandbox.env, ZDOTDIR: zdotdir, TERM: 'dumb' }, [
        'testmax status --js\t',
        'testmax --base-url https://x.example:8443 logi\t--us\t',
        'testmax he\tlogi\t',
        'testmax completion f\t',
      ]);
      expect(received).toEqual([
        'status --json',
        '--base-url https://x.example:8443 login --username',
        'help login',
        'completion fish',
      ]);
    },
  );
});

describe('fish', () => {
  const fishRun = (command: string) =>
    execFileSync('fish', ['--no-config', '-c', `source $argv[1]; ${command}`, scripts.fish], {
      encoding: 'utf8',
    });
  // `complete -C` prints "candidate<TAB>description" per line.
  const candidates = (line: string) =>
    fishRun(`complete -C '${line}'`)
      .split('\n')
      .filter(Boolean)
      .map((entry) => entry.split('\t')[0]);

  it.runIf(fish.available)(`fish -n parses the script${fish.skipNote}`, () => {
    execFileSync('fish', ['--no-config', '-n', scripts.fish]);
  });

  it.runIf(fish.available)(`complete -C offers commands, help, and flags${fish.skipNote}`, () => {
    expect(candidates('testmax ')).toEqual(expect.arrayContaining(COMMANDS));
    expect(candidates('testmax status --js')).toEqual(['--json']);
    expect(candidates('testmax login --us')).toEqual(['--username']);
    expect(candidates('testmax login --api')).toEqual(['--api-key-stdin']);
    expect(candidates('testmax help lo')).toEqual(['login', 'logout']);
    expect(candidates('testmax --base-url https://x.example:8443 completion ')).toEqual(
      expect.arrayContaining(['bash', 'zsh', 'fish']),
    );
  });
});

describe('every script', () => {
  it('offers every command, help included, and never the refused --api-key', async () => {
    const { readFile } = await import('node:fs/promises');
    // How each script lists a command name as a candidate (not merely mentions "--help").
    const offers: Record<keyof typeof scripts, (command: string) => RegExp> = {
      bash: (command) => new RegExp(`"" *\\) candidates='[^']*\\b${command}\\b`),
      zsh: (command) => new RegExp(`^ *'${command}:`, 'm'),
      fish: (command) => new RegExp(`-a ${command} -d`),
    };
    for (const shell of ['bash', 'zsh', 'fish'] as const) {
      const text = await readFile(scripts[shell], 'utf8');
      for (const command of COMMANDS) expect(text, `${shell}: ${command}`).toMatch(offers[shell](command));
      expect(text).toContain('api-key-stdin');
      expect(text).not.toMatch(/api-key(?!-stdin)/);
    }
  });
});
