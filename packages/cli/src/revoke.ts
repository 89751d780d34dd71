import type { Context } from './context.js';
import { newSession, type Prepared } from './session-flow.js';

/** What `Auth/logout` said about the token. */
export type Revocation = 'revoked' | 'already-invalid';

/**
 * Revoke `token` with `POST /Auth/logout`, telling "revoked" from "was already invalid" (the
 * SDK's `logout()` says which). Throws the SDK's error when the server could not be asked or
 * answered something else.
 */
export async function revoke(
  context: Context,
  prepared: Prepared,
  userName: string,
  token: string,
  overrides: { retries?: number } = {},
): Promise<Revocation> {
  // Only the token: logging out must never log in again just to revoke.
  const session = newSession(context, prepared, { userName, token }, overrides);
  const { revoked } = await session.logout();
  return revoked ? 'revoked' : 'already-invalid';
}

/** Revoke a token we are done with (a replaced login), without failing the command. */
export async function revokeQuietly(
  context: Context,
  prepared: Prepared,
  userName: string,
  token: string,
): Promise<void> {
  try {
    const outcome = await revoke(context, prepared, userName, token, { retries: 0 });
    context.output.debug(
      `the previous session token was ${outcome === 'revoked' ? 'revoked' : 'already invalid'}`,
    );
  } catch (error) {
    context.output.debug(
      `could not revoke the previous session token (${error instanceof Error ? error.message : String(error)}); it stays valid until it expires`,
    );
  }
}
