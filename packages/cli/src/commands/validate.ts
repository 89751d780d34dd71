import { AuthenticationError } from '@testmax/auth/node';
import type { Context } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { formatLocalTime, formatRelative } from '../format.js';
import { isExpired, newSession, notLoggedIn, persist, prepare } from '../session-flow.js';

/**
 * Ask the server whether the saved session token is still good (exit 0) or not (exit 3, and
 * the saved token is dropped). With no saved session but a key configured, log in first: that
 * validates the credentials themselves.
 */
export async function run(context: Context): Promise<void> {
  const prepared = await prepare(context);
  const { output } = context;
  const user = prepared.user?.value;
  if (!user) throw notLoggedIn('Not logged in, and no user name is configured.');

  let cached = prepared.cached;
  if (cached && isExpired(cached)) {
    await prepared.cache.remove(prepared.baseUrl, user);
    cached = undefined;
    if (!prepared.apiKey) throw notLoggedIn(`The saved session for ${user} has expired.`);
  }
  if (!cached && !prepared.apiKey) throw notLoggedIn(`Not logged in as ${user} at ${prepared.baseUrl}.`);

  const session = newSession(context, prepared, {
    userName: user,
    ...(cached ? { token: cached.token } : { apiKey: prepared.apiKey! }),
  });
  let result: Awaited<ReturnType<typeof session.validate>>;
  try {
    result = await session.validate();
  } catch (error) {
    if (cached && error instanceof AuthenticationError) {
      await prepared.cache.remove(prepared.baseUrl, user);
      throw new CliError(
        ExitCode.authFailed,
        `The server refused the saved session token for ${user} (expired or revoked); it has been removed.`,
        prepared.apiKey ? 'Run `testmax login` or `testmax token` to log in again.' : 'Run `testmax login`.',
      );
    }
    throw error;
  }
  const saved = await persist(prepared, session);
  const expires = result.expiresAt;
  output.document({
    valid: true,
    userName: user,
    baseUrl: prepared.baseUrl,
    renewed: result.renewed,
    loggedIn: !cached,
    expiresAt: saved.expiresAt,
  });
  const how = !cached
    ? ' (logged in with the configured key)'
    : result.renewed
      ? ' (renewed by the server)'
      : '';
  output.line(
    `${output.paint('green', '✓')} Token for ${user} accepted by ${prepared.baseUrl}${how}; it expires ${formatLocalTime(expires)} (${formatRelative(expires.getTime(), Date.now())}).`,
  );
}
