import { describe, expect, it } from 'vitest';
import { SCRIPTS, warningsIn } from '../support/scripts.js';

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
