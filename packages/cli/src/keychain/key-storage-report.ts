import type { Output } from '../output.js';
import type { KeyScope } from './key-scope.js';
import type { KeyHome, SavedKeys } from './saved-keys.js';

/** Where the key of a login ended up, as `login --json` reports it. */
export type KeyStorage =
  | { kind: 'keychain'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'none'; reason: string }
  | { kind: 'configured'; source: string };

/**
 * After a login: keep the key where the next command finds it when the token expires (the OS
 * keychain, or with `insecure` a 0600 file), unless it already lives in the environment, `.env`
 * or the config file. Says where it went, or why nowhere, in lines for the human output.
 */
export async function storeLoginKey(
  output: Output,
  savedKeys: SavedKeys,
  scope: KeyScope,
  key: { value: string; from: string; configured: boolean },
  insecure: boolean,
): Promise<{ storage: KeyStorage; lines: string[] }> {
  if (key.configured && !insecure) {
    return {
      storage: { kind: 'configured', source: key.from },
      lines: [`  The API key stays in ${key.from}; testmax did not save it again.`],
    };
  }
  const home: KeyHome = await savedKeys.save(scope, key.value, { insecure });
  const automatic = 'when the token expires, testmax logs in again by itself';
  if (home.kind === 'keychain') {
    return {
      storage: home,
      lines: [`  The API key was saved in ${home.name}: ${automatic}.`],
    };
  }
  if (home.kind === 'file') {
    return {
      storage: home,
      lines: [
        `  The API key was saved in ${home.path} (mode 0600, --insecure-storage): ${automatic}.`,
        '  Anyone who can read your files can read it there; without --insecure-storage it goes to the OS keychain.',
      ],
    };
  }
  // A keychain that is there but refused or hung is worth a warning; none at all (a server, a
  // container) is the normal case there, said plainly.
  if (home.failure === 'refused' || home.failure === 'timeout' || home.failure === 'error') {
    output.warn(`the API key could not be saved in the OS keychain (${home.reason})`);
  }
  return {
    storage: { kind: 'none', reason: home.reason },
    lines: [
      `  The API key was not saved (${home.reason}).`,
      '  When the token expires, run `testmax login` again, or log in with --insecure-storage to keep the key in a 0600 file.',
    ],
  };
}
