import { KeyFiles } from './key-file.js';
import type { KeyScope } from './key-scope.js';
import { type KeychainFailure, type OsKeychain, osKeychain } from './os-keychain.js';

/** Where a saved API key lives, for messages and `status`. */
export type KeyHome =
  | { kind: 'keychain'; name: string }
  | { kind: 'file'; path: string }
  | { kind: 'nowhere'; reason: string; failure: KeychainFailure['kind'] };

export interface FoundKey {
  apiKey: string;
  where: Exclude<KeyHome, { kind: 'nowhere' }>;
}

/** "the Secret Service keyring", "the file ~/.config/testmax/keys/key-….json (insecure storage)". */
export function describeHome(home: Exclude<KeyHome, { kind: 'nowhere' }>): string {
  return home.kind === 'keychain' ? home.name : `the file ${home.path} (insecure storage)`;
}

/**
 * Where `testmax login` keeps the API key so a token that expires or is refused is replaced by
 * itself: the OS keychain; with `--insecure-storage`, a 0600 file; without a keychain, nowhere
 * (and the caller says so). One key per base URL, user and profile, in one place at a time.
 */
export class SavedKeys {
  readonly keychain: OsKeychain;
  readonly files: KeyFiles;

  constructor(
    env: NodeJS.ProcessEnv,
    private readonly warn: (message: string) => void = () => {},
    keychain: OsKeychain = osKeychain(env),
  ) {
    this.keychain = keychain;
    this.files = new KeyFiles(env, warn);
  }

  /**
   * Save the key: in the keychain, or in a file with `insecure`. Whichever is not used is
   * cleared for this scope, so an older key there can never be picked up instead. Resolves to
   * where the key went; `nowhere` (with the keychain's reason) when the keychain failed: then
   * nothing is stored anywhere.
   */
  async save(scope: KeyScope, apiKey: string, options: { insecure: boolean }): Promise<KeyHome> {
    if (options.insecure) {
      const path = await this.files.write(scope, apiKey);
      const cleared = await this.keychain.delete(scope);
      if (!cleared.ok && cleared.kind !== 'disabled' && cleared.kind !== 'unavailable') {
        this.warn(
          `could not check ${this.keychain.name} for an older key of this user (${cleared.reason}); the key file is used first`,
        );
      }
      return { kind: 'file', path };
    }
    const stored = await this.keychain.set(scope, apiKey);
    // Either way a key file of an earlier --insecure-storage login holds an older key: it goes,
    // so the key found later is never an outdated one.
    await this.files.remove(scope);
    if (!stored.ok) {
      return { kind: 'nowhere', reason: `${this.keychain.name}: ${stored.reason}`, failure: stored.kind };
    }
    return { kind: 'keychain', name: this.keychain.name };
  }

  /**
   * The saved key: the key file first (it exists only when the user chose it, and reading it
   * costs nothing), then the keychain. A keychain that fails is reported in `problem`; the
   * caller decides whether that is worth a warning (it is when a login needed the key).
   */
  async find(scope: KeyScope): Promise<FoundKey | { problem?: KeychainFailure }> {
    const fromFile = await this.files.read(scope);
    if (fromFile) return { apiKey: fromFile, where: { kind: 'file', path: this.files.fileFor(scope) } };
    const fromKeychain = await this.keychain.get(scope);
    if (!fromKeychain.ok) return { problem: fromKeychain };
    if (fromKeychain.value)
      return { apiKey: fromKeychain.value, where: { kind: 'keychain', name: this.keychain.name } };
    return {};
  }

  /**
   * Forget the key everywhere it may be. Resolves to the places it was removed from and, when
   * the keychain could not be asked, why (a key may then still be there).
   */
  async forget(scope: KeyScope): Promise<{ removed: string[]; problem?: KeychainFailure }> {
    const removed: string[] = [];
    if (await this.files.remove(scope)) removed.push(`the file ${this.files.fileFor(scope)}`);
    const deleted = await this.keychain.delete(scope);
    if (deleted.ok) {
      if (deleted.value) removed.push(this.keychain.name);
      return { removed };
    }
    // With no keychain here (or it turned off), there is nothing in it to forget.
    if (deleted.kind === 'disabled' || deleted.kind === 'unavailable') return { removed };
    return { removed, problem: deleted };
  }
}
