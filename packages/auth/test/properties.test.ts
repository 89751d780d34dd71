import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../src/config-file.js';
import { parseDotenv } from '../src/dotenv.js';
import { decodeJwt } from '../src/jwt.js';
import { ConfigError } from '../src/node.js';

const base64url = fc.string().map((s) => Buffer.from(s).toString('base64url'));

/** Succeeds with a plain object, or throws ConfigError: never any other error. */
function succeedsOrConfigError(parse: () => unknown): boolean {
  try {
    const value = parse();
    return typeof value === 'object' && value !== null;
  } catch (error) {
    return error instanceof ConfigError;
  }
}

describe('property: decoding never throws', () => {
  it('decodeJwt of arbitrary strings returns claims or undefined', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })),
        (s) => {
          const claims = decodeJwt(s);
          return claims === undefined || (typeof claims === 'object' && !Array.isArray(claims));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decodeJwt of JWT-shaped strings with arbitrary segments never throws', () => {
    fc.assert(
      fc.property(
        base64url,
        fc.oneof(
          base64url,
          fc.json().map((j) => Buffer.from(j).toString('base64url')),
        ),
        base64url,
        (h, p, s) => {
          const claims = decodeJwt(`${h}.${p}.${s}`);
          if (claims?.exp !== undefined) expect(Number.isFinite(claims.exp)).toBe(true);
          return true;
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decodeJwt of any value never throws', () => {
    fc.assert(fc.property(fc.anything(), (v) => decodeJwt(v) === undefined || typeof v === 'string'));
  });
});

describe('property: .env and config parsing succeed or raise ConfigError', () => {
  it('.env text: plain KEY=value lines come back as written, anything else never throws', () => {
    // Values without quotes, '#', '$', backslashes or line breaks: what every .env parser agrees on.
    const plainValue = fc.stringMatching(/^[A-Za-z0-9_.:/@+-]{0,20}$/);
    const entries = fc.array(fc.tuple(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), plainValue), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(entries, (pairs) => {
        const expected: Record<string, string> = {};
        for (const [key, value] of pairs) expected[key] = value; // the last one wins
        const text = pairs.map(([key, value]) => `${key}=${value}`).join('\n');
        expect(parseDotenv(text, '/tmp/.env')).toEqual(expected);
      }),
      { numRuns: 500 },
    );
    const lines = fc.array(
      fc.oneof(
        fc.string(),
        fc.tuple(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), fc.string()).map(([k, v]) => `${k}=${v}`),
        fc.constantFrom(
          '# comment',
          'export A=1',
          'B="multi\nline"',
          "C='x'",
          'D=`y`',
          '=',
          '"',
          'E="unterminated',
        ),
      ),
    );
    const onlyStrings = (parsed: Record<string, string>) =>
      Object.values(parsed).every((value) => typeof value === 'string');
    fc.assert(
      fc.property(lines, (ls) => onlyStrings(parseDotenv(ls.join('\n'), '/tmp/.env'))),
      { numRuns: 1000 },
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => onlyStrings(parseDotenv(s, '/tmp/.env'))));
  });

  it('config file text', () => {
    const configish = fc.record(
      {
        username: fc.anything(),
        api_key: fc.anything(),
        account_name: fc.anything(),
        api_url: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          configish.map((c) => JSON.stringify(c) ?? ''),
        ),
        (text) => succeedsOrConfigError(() => parseConfigFile(text, '/tmp/config.json')),
      ),
      { numRuns: 2000 },
    );
  });

  it('a config error never quotes the file content', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{12,30}$/), (secret) => {
        try {
          parseConfigFile(`{"api_key": ${secret}}`, '/tmp/config.json');
        } catch (error) {
          return !(error as Error).message.includes(secret);
        }
        return false;
      }),
    );
  });
});
