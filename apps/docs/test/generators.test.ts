import { describe, expect, test } from 'vitest';
import { makeOffline } from '../scripts/generate-api.mjs';
import { commandSection, parseMockHelp } from '../scripts/generate-cli.mjs';
import { prepareReadme } from '../scripts/readme.mjs';
import { prose } from '../scripts/text.mjs';

// The generators' rules for other packages' text, checked on the inputs that would otherwise
// break the site: a README that Vue cannot compile, Redoc links that 404 on a static host.

describe('prepareReadme', () => {
  const base = 'https://github.com/testmax/testmax-sdk/blob/main/packages/auth/';

  test('points relative links at the repository and keeps anchors and absolute links', () => {
    const out = prepareReadme(
      'See [the spec](../../spec), [errors](#errors) and [npm](https://www.npmjs.com/).',
      base,
    );
    expect(out).toBe(
      'See [the spec](https://github.com/testmax/testmax-sdk/blob/main/spec), [errors](#errors) and [npm](https://www.npmjs.com/).',
    );
  });

  test('escapes generics and moustaches in prose so Vue compiles the page, but not in code', () => {
    const out = prepareReadme(
      [
        'Returns Promise<string> and {{ x }}; `Promise<T>` stays.',
        '```ts',
        'const a: Array<string> = [];',
        '```',
        '<details><summary>More</summary>',
      ].join('\n'),
      base,
    );
    expect(out.split('\n')).toEqual([
      'Returns Promise&lt;string> and &#123;&#123; x }}; `Promise<T>` stays.',
      '```ts',
      'const a: Array<string> = [];',
      '```',
      '<details><summary>More</summary>',
    ]);
  });
});

describe('the CLI reference', () => {
  test('a command becomes one section: usage, options, examples, exit codes', () => {
    const lines = commandSection({
      name: 'login',
      usage: 'testmax login [options]',
      description: 'log in with an API key',
      arguments: [],
      options: [{ flags: '-u, --username <email>', description: 'the user | name' }],
      examples: [{ command: 'testmax login', comment: 'asked at a prompt' }],
      exitCodes: [
        [0, 'logged in'],
        [4, 'nothing to log in with'],
      ],
    });
    expect(lines.join('\n')).toBe(
      [
        '## testmax login',
        '',
        'Log in with an API key.',
        '',
        '```sh',
        'testmax login [options]',
        '```',
        '',
        '**Options** (and the [global options](#global-options))',
        '',
        '| option | meaning |',
        '| --- | --- |',
        '| `-u, --username <email>` | the user \\| name |',
        '',
        '**Examples**',
        '',
        '```sh',
        '# asked at a prompt',
        'testmax login',
        '```',
        '',
        '**Exit codes**',
        '',
        '| exit code | meaning |',
        '| --- | --- |',
        '| `0` | logged in |',
        '| `4` | nothing to log in with |',
        '',
      ].join('\n'),
    );
  });

  test("a command's details keep their paragraphs, and its listing (api's operations) is a table", () => {
    const text = commandSection({
      name: 'api',
      usage: 'testmax api [options] <path>',
      description: 'call any endpoint',
      details: 'The body is JSON:\nfields with -f.\n\nThe answer is printed.',
      listing: {
        title: 'Known operations (from the spec)',
        columns: ['operation', 'what it does'],
        rows: [['GET Status/ping', 'Check that the service is up; no login needed']],
      },
      arguments: [],
      options: [],
      examples: [{ command: 'testmax api Status/ping' }],
      exitCodes: [[0, 'success: true']],
    }).join('\n');
    expect(text).toContain(
      [
        'The body is JSON: fields with -f.',
        '',
        'The answer is printed.',
        '',
        '**Known operations (from the spec)**',
        '',
        '| operation | what it does |',
        '| --- | --- |',
        '| `GET Status/ping` | Check that the service is up; no login needed |',
        '',
      ].join('\n'),
    );
  });

  test("reads the simulator's help into the same parts", () => {
    const help = [
      'Usage: testmax-mock [options]',
      '',
      'Run the simulator locally.',
      '',
      'Options:',
      '  --port N          port to listen on',
      '  --refresh-window S  seconds before expiry',
      '                      (default 20%)',
      '',
      'Examples:',
      '  # the demo user',
      '  $ testmax-mock --port 4010',
      '',
      'Exit codes:',
      '  0  stopped',
      '  2  a usage error',
    ].join('\n');
    expect(parseMockHelp(help)).toEqual({
      usage: 'testmax-mock [options]',
      description: 'Run the simulator locally.',
      options: [
        { flags: '--port N', description: 'port to listen on' },
        { flags: '--refresh-window S', description: 'seconds before expiry (default 20%)' },
      ],
      examples: [{ command: 'testmax-mock --port 4010', comment: 'the demo user' }],
      exitCodes: [
        [0, 'stopped'],
        [2, 'a usage error'],
      ],
    });
  });

  test('text from help strings cannot become Vue markup or break a table', () => {
    expect(prose('--username <email> {{ x }} a|b')).toBe('--username &lt;email> &#123;&#123; x }} a\\|b');
  });
});

describe('makeOffline', () => {
  test('turns prerendered Redoc paths into hash routes, outside scripts only, and drops the CDN logo', () => {
    const html = [
      '<a href="../index.html">back</a><a href="/auth">Auth</a><a href="/">top</a>',
      '<a href="https://example.com/x">ext</a>',
      '<script>const s = `<a href="/keep">`; const logo = `https://cdn.redoc.ly/redoc/logo-mini.svg`;</script>',
    ].join('\n');
    const out = makeOffline(html);
    expect(out).toContain('<a href="#/auth">Auth</a><a href="#/">top</a>');
    expect(out).toContain('<a href="../index.html">back</a>');
    expect(out).toContain('<a href="https://example.com/x">ext</a>');
    expect(out).toContain('<a href="/keep">');
    expect(out).not.toContain('cdn.redoc.ly');
  });
});
