import { createSession, type Prepared } from './cli-session.js';
import type { Context } from './context.js';

/** What `Auth/logout` said about the token. */
export type Revocation = 'revoked' | 'already-invalid';

/**
 * Log the user out: revoke the saved token with `POST /Auth/logout` and delete it from the
 * cache (for the bots sharing it too), telling "revoked" from "was already invalid". Throws
 * the SDK's error when the server could not be asked or answered something else; the cache
 * then keeps the token.
 */
export async function revoke(context: Context, prepared: Prepared, userName: string): Promise<Revocation> {
  // Only the token: logging out must never log in again just to revoke.
  const session = createSession(context, prepared, { userName });
  const { revoked } = await session.logout();
  return revoked ? 'revoked' : 'already-invalid';
}

/** Revoke a token nobody could save (the cache failed), without failing the command further. */
export async function revokeQuietly(context: Context, prepared: Prepared, userName: string, token: string) {
  try {
    const session = createSession(context, prepared, { userName, token, store: false, retries: 0 });
    const { revoked } = await session.logout();
    context.output.debug(`the unsaved session token was ${revoked ? 'revoked' : 'already invalid'}`);
  } catch (error) {
    context.output.debug(
      `could not revoke the unsaved session token (${error instanceof Error ? error.message : String(error)}); it stays valid until it expires`,
    );
  }
}
