import { createHash } from 'node:crypto';
import { normalizeScope } from '@testmax/auth';

/**
 * Whose API key it is: one saved key per base URL, user and profile, compared as the token
 * cache compares scopes (`normalizeScope`: no trailing slash, user name without case).
 */
export interface KeyScope {
  baseUrl: string;
  userName: string;
  profile?: string | undefined;
}

/**
 * The OS keychain entry: service `testmax:<base URL>` (with `profile <name>` for a profile),
 * account = the user name. Readable in Keychain Access, Credential Manager or Seahorse, so a
 * person can see what testmax keeps and remove it by hand.
 */
export function keychainEntry(scope: KeyScope): { service: string; account: string } {
  const { baseUrl, userName, profile } = normalizeScope(scope);
  return {
    service: profile ? `testmax:${baseUrl} profile ${profile}` : `testmax:${baseUrl}`,
    account: userName,
  };
}

/** A stable file-name-safe id for the scope: no user name or URL ever needs escaping. */
export function scopeId(scope: KeyScope): string {
  const { baseUrl, userName, profile } = normalizeScope(scope);
  return createHash('sha256')
    .update(JSON.stringify(['api-key', baseUrl, userName, profile]))
    .digest('hex')
    .slice(0, 32);
}

export function sameScope(a: KeyScope, b: KeyScope): boolean {
  return scopeId(a) === scopeId(b);
}
