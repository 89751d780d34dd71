import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { wholeNumber } from '../settings.js';
import { type KeyScope, keychainEntry } from './key-scope.js';
import type { KeychainAnswer, KeychainRequest } from './keychain-protocol.js';

/**
 * Long enough for a keychain that answers at all (a Secret Service answers in tens of ms), short
 * enough that a hung one (a D-Bus that accepts and never answers) costs a command a few seconds
 * once, before it falls back and says so.
 */
export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 5_000;

/** Why the keychain could not be used, in words for a sentence: "… (reason)". */
export interface KeychainFailure {
  ok: false;
  /**
   * `disabled`: TESTMAX_KEYCHAIN=off. `unavailable`: none here. `refused`: locked or said no.
   * `timeout`: no answer in time. `error`: anything else.
   */
  kind: 'disabled' | 'unavailable' | 'refused' | 'timeout' | 'error';
  reason: string;
}

export type KeychainResult<T> = { ok: true; value: T } | KeychainFailure;

export interface OsKeychain {
  /** "the macOS Keychain", "Windows Credential Manager", "the Secret Service keyring". */
  readonly name: string;
  get(scope: KeyScope): Promise<KeychainResult<string | null>>;
  set(scope: KeyScope, key: string): Promise<KeychainResult<void>>;
  /** True when there was a key to delete. */
  delete(scope: KeyScope): Promise<KeychainResult<boolean>>;
}

export function keychainName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'the macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'the Secret Service keyring';
}

/** `TESTMAX_KEYCHAIN=off` (or 0, false, no): never touch the OS keychain. */
export function keychainDisabled(env: NodeJS.ProcessEnv): boolean {
  const value = env.TESTMAX_KEYCHAIN?.trim().toLowerCase();
  return value === 'off' || value === '0' || value === 'false' || value === 'no';
}

const CHILD = fileURLToPath(new URL('./keychain-child.js', import.meta.url));

/** The first line of what the keychain said, without the library's prefixes. */
function plain(message: string): string {
  return (message.split('\n')[0] ?? '')
    .replace(/^(Platform failure|Couldn't access platform storage):\s*/i, '')
    .trim()
    .slice(0, 200);
}

function describe(answer: Extract<KeychainAnswer, { ok: false }>, env: NodeJS.ProcessEnv): KeychainFailure {
  const said = plain(answer.message);
  if (answer.kind === 'unavailable') {
    const noBus = process.platform === 'linux' && !env.DBUS_SESSION_BUS_ADDRESS;
    return {
      ok: false,
      kind: 'unavailable',
      reason: noBus
        ? 'there is no D-Bus session here (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service'
        : `it is not available here: ${said}`,
    };
  }
  if (answer.kind === 'refused')
    return { ok: false, kind: 'refused', reason: `it refused access (locked?): ${said}` };
  return { ok: false, kind: 'error', reason: `it failed: ${said}` };
}

/**
 * The OS keychain through @napi-rs/keyring (macOS Keychain, Windows Credential Manager, the
 * Secret Service on Linux), each call in a child process that is killed after `timeoutMs`.
 * Never throws: every failure is a result the caller reports and falls back from.
 */
export function osKeychain(env: NodeJS.ProcessEnv, options: { timeoutMs?: number } = {}): OsKeychain {
  const name = keychainName();
  const timeoutMs =
    options.timeoutMs ??
    wholeNumber(env, 'TESTMAX_KEYCHAIN_TIMEOUT_MS', 1, 600_000, DEFAULT_KEYCHAIN_TIMEOUT_MS) ??
    DEFAULT_KEYCHAIN_TIMEOUT_MS;

  const call = (request: KeychainRequest): Promise<KeychainAnswer | KeychainFailure> => {
    if (keychainDisabled(env)) {
      return Promise.resolve({ ok: false, kind: 'disabled', reason: 'TESTMAX_KEYCHAIN is off' });
    }
    return new Promise((resolve) => {
      let settled = false;
      const finish = (value: KeychainAnswer | KeychainFailure) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      };
      // Only what the keychain needs: the caller's environment (D-Bus address, HOME), not its
      // Node options (an --inspect port would clash).
      const child = spawn(process.execPath, [CHILD], {
        env: { ...env, NODE_OPTIONS: '' },
        stdio: ['pipe', 'pipe', 'ignore'],
        windowsHide: true,
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish({
          ok: false,
          kind: 'timeout',
          reason: `it did not answer within ${timeoutMs / 1000} s (TESTMAX_KEYCHAIN_TIMEOUT_MS)`,
        });
      }, timeoutMs);
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.on('error', (error) =>
        finish({ ok: false, kind: 'error', reason: `it could not be asked (${error.message})` }),
      );
      child.on('close', (code, signal) => {
        try {
          finish(JSON.parse(stdout) as KeychainAnswer);
        } catch {
          finish({
            ok: false,
            kind: 'error',
            reason: `its helper process ended without an answer (${signal ?? `exit ${code}`})`,
          });
        }
      });
      child.stdin.on('error', () => {});
      child.stdin.end(JSON.stringify(request));
    });
  };

  const run = async <T>(
    request: KeychainRequest,
    pick: (answer: Extract<KeychainAnswer, { ok: true }>) => T,
  ) => {
    const answer = await call(request);
    if (answer.ok) return { ok: true as const, value: pick(answer) };
    return 'reason' in answer ? answer : describe(answer, env);
  };

  return {
    name,
    get: (scope) => run({ op: 'get', ...keychainEntry(scope) }, (answer) => answer.value),
    set: (scope, key) => run({ op: 'set', ...keychainEntry(scope), secret: key }, () => undefined),
    delete: (scope) => run({ op: 'delete', ...keychainEntry(scope) }, (answer) => answer.deleted === true),
  };
}
