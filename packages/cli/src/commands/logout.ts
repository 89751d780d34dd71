import type { Context } from '../context.js';
import { newSession, prepare } from '../session-flow.js';

/**
 * Revoke the saved token on the server, then delete it locally. Idempotent: with nothing
 * saved it says so and exits 0. The local copy is deleted even when the server cannot be
 * reached (the command then exits 5, so a script knows the revocation did not happen).
 */
export async function run(context: Context): Promise<void> {
  const prepared = await prepare(context);
  const { output } = context;
  const user = prepared.user?.value;
  const cached = prepared.cached;
  if (!user || !cached) {
    output.document({
      loggedOut: false,
      wasLoggedIn: false,
      baseUrl: prepared.baseUrl,
      userName: user ?? null,
    });
    output.line(`Not logged in${user ? ` as ${user}` : ''} at ${prepared.baseUrl}; nothing to do.`);
    return;
  }
  // Only the token: logging out must never log in again just to revoke.
  const session = newSession(context, prepared, { userName: user, token: cached.token });
  try {
    await session.logout();
  } finally {
    await prepared.cache.remove(prepared.baseUrl, user);
  }
  output.document({ loggedOut: true, wasLoggedIn: true, baseUrl: prepared.baseUrl, userName: user });
  output.line(
    `${output.paint('green', '✓')} Logged out ${user} from ${prepared.baseUrl}; the saved token was revoked and deleted.`,
  );
}
