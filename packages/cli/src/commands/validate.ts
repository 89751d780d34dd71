import { AuthenticationError } from '@testmax/auth/node';
import type { Context } from '../context.js';
import { formatLocalTime, formatRelative } from '../format.js';
import {
  chainSources,
  isExpired,
  keyForLogin,
  logIn,
  newSession,
  notLoggedIn,
  persist,
  prepare,
  tokenRejected,
} from '../session-flow.js';

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
  let apiKey: string | undefined;
  if (cached && isExpired(cached)) {
    await prepared.cache.remove(prepared.baseUrl, user, prepared.profile);
    cached = undefined;
    apiKey = await keyForLogin(prepared);
    if (!apiKey) throw tokenRejected(`The saved session token for ${user} has expired; it has been removed.`);
  }
  if (!cached) {
    apiKey ??= await keyForLogin(prepared);
    if (!apiKey) throw notLoggedIn(`Not logged in as ${user} at ${prepared.baseUrl}.`);
  }

  const session = newSession(context, prepared, {
    userName: user,
    ...(cached ? { token: cached.token } : { apiKey: apiKey! }),
  });
  if (!cached) await logIn(session, chainSources(prepared));
  let result: Awaited<ReturnType<typeof session.validate>>;
  try {
    result = await session.validate();
  } catch (error) {
    if (cached && error instanceof AuthenticationError) {
      await prepared.cache.remove(prepared.baseUrl, user, prepared.profile);
      throw tokenRejected(
        `The server refused the saved session token for ${user} (expired or revoked); it has been removed.`,
        (await keyForLogin(prepared)) !== undefined,
      );
    }
    throw error;
  }
  const saved = await persist(prepared, session);
  output.document({
    valid: true,
    userName: user,
    baseUrl: prepared.baseUrl,
    renewed: result.renewed,
    loggedIn: !cached,
    expiresAt: saved.expiresAt,
  });
  const how = !cached
    ? ` (logged in with ${prepared.apiKey ? 'the configured key' : prepared.savedKeyFrom})`
    : result.renewed
      ? ' (renewed by the server)'
      : '';
  // The saved expiry, not the SDK's: for a token without `exp` the SDK's is an assumption.
  const expiry = saved.expiresAt
    ? `it expires ${formatLocalTime(new Date(saved.expiresAt))} (${formatRelative(Date.parse(saved.expiresAt), Date.now())})`
    : 'its expiry is unknown (the token carries no expiry)';
  output.line(
    `${output.paint('green', '✓')} Token for ${user} accepted by ${prepared.baseUrl}${how}; ${expiry}.`,
  );
}
