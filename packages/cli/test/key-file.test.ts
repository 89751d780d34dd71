import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeyFiles } from '../dist/keychain/key-file.js';
import { keychainEntry, scopeId } from '../dist/keychain/key-scope.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'testmax-key-file-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const scope = { baseUrl: 'http://127.0.0.1:4010', userName: 'me@example.com' };
const KEY = 'tmx_key_file_race_000000000000001';

describe('the --insecure-storage key file', () => {
  it('writes and removes racing each other: no operation fails, no temporary file is left', async () => {
    const files = new KeyFiles({ XDG_CONFIG_HOME: root });
    const failures: unknown[] = [];
    const churn = async (writer: boolean) => {
      for (let i = 0; i < 100; i++) {
        await (writer ? files.write(scope, KEY) : files.remove(scope)).catch((error) => failures.push(error));
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, i) => churn(i % 2 === 0)));
    expect(failures).toEqual([]);
    expect(readdirSync(files.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    const file = await files.write(scope, KEY);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await files.read(scope)).toBe(KEY);
  });

  it('lives in $XDG_CONFIG_HOME/testmax/keys, else under the home directory as the SDK finds it', () => {
    expect(new KeyFiles({ XDG_CONFIG_HOME: root, HOME: '/home/u' }).dir).toBe(join(root, 'testmax', 'keys'));
    // No HOME (Windows): %USERPROFILE%, as the SDK's config file and token cache.
    expect(new KeyFiles({ HOME: '', USERPROFILE: root }).dir).toBe(join(root, '.config', 'testmax', 'keys'));
  });

  it('finds the key by the scope as the token cache compares it: no trailing slash or spaces, user without case', async () => {
    const files = new KeyFiles({ XDG_CONFIG_HOME: root });
    const spelt = { baseUrl: ' http://127.0.0.1:4010/ ', userName: ' Me@Example.com', profile: undefined };
    expect(scopeId(spelt)).toBe(scopeId(scope));
    expect(keychainEntry(spelt)).toEqual({
      service: 'testmax:http://127.0.0.1:4010',
      account: 'me@example.com',
    });
    await files.write(spelt, KEY);
    expect(await files.read(scope)).toBe(KEY);
  });
});
