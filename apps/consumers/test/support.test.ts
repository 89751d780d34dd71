import { afterEach, describe, expect, it, vi } from 'vitest';
import { SCRIPTS, warningsIn } from '../support/scripts.js';
import { requireTool } from '../support/tools.js';

// The slow suites' own checks must be able to fail, or their silence proves nothing.

describe('warningsIn', () => {
  it('finds what generators print when the spec has a problem, and nothing in a clean run', () => {
    expect(
      warningsIn('🍻 orval v7.13.2\n⚠️  SyntaxError: Swagger schema validation failed.\n🎉 done'),
    ).toHaveLength(1);
    expect(warningsIn('[WARN] something is deprecated')).toHaveLength(1);
    expect(warningsIn('Error: ENOENT')).toHaveLength(1);
    expect(warningsIn('🍻 orval v7.13.2\n🎉 testmax - Your OpenAPI spec has been converted')).toEqual([]);
  });
});

describe('requireTool', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('skips loudly on a laptop when the tool is missing', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(requireTool('testmax-no-such-tool', ['--version'], 'no-such-package')).toBe(false);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^SKIPPED: .*apt-get install -y no-such-package/),
    );
  });

  it('fails under CI=true instead of skipping', () => {
    process.env.CI = 'true';
    expect(() => requireTool('testmax-no-such-tool', ['--version'], 'no-such-package')).toThrow(
      /required in CI/,
    );
  });

  it('finds a tool that is there', () => {
    expect(requireTool(process.execPath, ['--version'], 'nodejs')).toBe(true);
  });
});

describe('the generate scripts', () => {
  it('read the bundle the spec package publishes (or, for orval, a config that does)', () => {
    const generators = Object.keys(SCRIPTS).filter((name) => name.startsWith('generate:'));
    expect(generators).toHaveLength(7);
    for (const name of generators) {
      expect(SCRIPTS[name], name).toMatch(
        name === 'generate:orval' ? /orval\.config\.ts/ : /\.\.\/\.\.\/spec\/dist\/openapi\.json/,
      );
    }
  });
});
