/** What the CLI asks the keychain process (keychain-child.ts), on its stdin. */
export interface KeychainRequest {
  op: 'get' | 'set' | 'delete';
  service: string;
  account: string;
  /** The key, for `set` only. */
  secret?: string;
}

/**
 * Its answer, one JSON line on stdout. `unavailable`: there is no keychain here (no D-Bus
 * session, no Secret Service, no binary for this platform). `refused`: there is one and it said
 * no (locked, or the unlock prompt was dismissed). `error`: anything else it said.
 */
export type KeychainAnswer =
  | { ok: true; value: string | null; deleted?: boolean }
  | { ok: false; kind: 'unavailable' | 'refused' | 'error'; message: string };
