import type { Context } from './context.js';
import { newSession, type Prepared } from './session-flow.js';

/** What `Auth/logout` said about the token. */
export type Revocation = 'revoked' | 'already-invalid';

/** A refused bearer, in either of TestMax's styles: a bare 401, or 200 with errorCode 1 or 3. */
async function isRefusal(response: Response): Promise<boolean> {
  if (response.status === 401) return true;
  if (response.status !== 200 || !response.headers.get('content-type')?.includes('json')) return false;
  try {
    const body = (await response.clone().json()) as { success?: unknown; errorCode?: unknown };
    return body.success === false && (body.errorCode === 1 || body.errorCode === 3);
  } catch {
    return false;
  }
}

function pathOf(input: RequestInfo | URL): string {
  return new URL(input instanceof Request ? input.url : String(input)).pathname;
}

/**
 * Revoke `token` with `POST /Auth/logout`. `session.logout()` treats a token the server already
 * refuses as logged out without saying which happened, so the answer is watched on its way in:
 * the user is then told "revoked" or "was already invalid", never the wrong one. Throws the
 * SDK's error when the server could not be asked or answered something else.
 */
export async function revoke(
  context: Context,
  prepared: Prepared,
  userName: string,
  token: string,
  overrides: { retries?: number } = {},
): Promise<Revocation> {
  let refused = false;
  const watching: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (pathOf(input).endsWith('/Auth/logout')) refused = await isRefusal(response);
    return response;
  };
  // Only the token: logging out must never log in again just to revoke.
  const session = newSession(context, prepared, { userName, token }, { fetch: watching, ...overrides });
  await session.logout();
  return refused ? 'already-invalid' : 'revoked';
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
