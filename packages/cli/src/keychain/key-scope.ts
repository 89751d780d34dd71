import { createHash } from 'node:crypto';

/** Whose API key it is: one saved key per base URL, user and profile. */
export interface KeyScope {
  baseUrl: string;
  userName: string;
  profile?: string | undefined;
}

function parts(scope: KeyScope): { baseUrl: string; userName: string; profile: string } {
  return {
    baseUrl: scope.baseUrl.replace(/\/+$/, ''),
    // The API compares user names without case; so does the token cache.
    userName: scope.userName.trim().toLowerCase(),
    profile: scope.profile ?? '',
  };
}

/**
 * The OS keychain entry: service `testmax:<base URL>` (with `profile <name>` for a profile),
 * account = the user name. Readable in Keychain Access, Credential Manager or Seahorse, so a
 * person can see what testmax keeps and remove it by hand.
 */
export function keychainEntry(scope: KeyScope): { service: string; account: string } {
  const { baseUrl, userName, profile } = parts(scope);
  return {
    service: profile ? `testmax:${baseUrl} profile ${profile}` : `testmax:${baseUrl}`,
    account: userName,
  };
}

/** A stable file-name-safe id for the scope: no user name or URL ever needs escaping. */
export function scopeId(scope: KeyScope): string {
  const { baseUrl, userName, profile } = parts(scope);
  return createHash('sha256')
    .update(JSON.stringify(['api-key', baseUrl, userName, profile]))
    .digest('hex')
    .slice(0, 32);
}

export function sameScope(a: KeyScope, b: KeyScope): boolean {
  return scopeId(a) === scopeId(b);
}
