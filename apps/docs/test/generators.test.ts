import { describe, expect, test } from 'vitest';
import { makeOffline } from '../scripts/generate-api.mjs';
import { parseCommands } from '../scripts/generate-cli.mjs';
import { prepareReadme } from '../scripts/readme.mjs';

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

describe('parseCommands', () => {
  test('reads the command names from commander help, without help itself', () => {
    const help = [
      'Usage: testmax [options] [command]',
      '',
      'Options:',
      '  --json              print exactly one JSON document on stdout',
      '',
      'Commands:',
      '  ping                check that the API answers',
      '  login [options]     log in with an API key',
      '                      (continued description)',
      '  completion <shell>  print a shell completion script',
      '  help [command]      show help for a command',
      '',
      'Exit codes:',
      '  0  ok',
    ].join('\n');
    expect(parseCommands(help)).toEqual(['ping', 'login', 'completion']);
  });

  test('finds no commands in help without a Commands section', () => {
    expect(parseCommands('Usage: x [options]\n\nOptions:\n  -h, --help  show help')).toEqual([]);
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
