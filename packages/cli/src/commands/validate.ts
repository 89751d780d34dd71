import { AuthenticationError } from '@testmax/auth/node';
import { createSession, keyForLogin, prepare } from '../cli-session.js';
import type { Context } from '../context.js';
import { formatLocalTime, formatRelative } from '../format.js';
import { chainSources, logIn } from '../login-errors.js';
import { dropSaved, ensureSaved, refusedMessage, tokenRejected, usableSaved } from '../saved-token.js';

/**
 * Ask the server whether the saved session token is still good (exit 0) or not (exit 3, and
 * the saved token is dropped). With no saved session but a key configured, log in first: that
 * validates the credentials themselves.
 */
export async function run(context: Context): Promise<void> {
  const prepared = await prepare(context);
  const { output } = context;
  const { user, saved, apiKey } = await usableSaved(context, prepared);
  const session = createSession(context, prepared, {
    userName: user,
    ...(saved ? {} : { apiKey }),
  });
  if (!saved) await logIn(session, chainSources(prepared), 'shared');
  let result: Awaited<ReturnType<typeof session.validate>>;
  try {
    result = await session.validate();
  } catch (error) {
    if (saved && error instanceof AuthenticationError) {
      await dropSaved(prepared, user);
      throw tokenRejected(refusedMessage(user), {
        keyConfigured: (await keyForLogin(prepared)) !== undefined,
      });
    }
    throw error;
  }
  const kept = await ensureSaved(prepared, session);
  output.document({
    valid: true,
    userName: user,
    baseUrl: prepared.baseUrl,
    renewed: result.renewed,
    loggedIn: !saved,
    expiresAt: kept.expiresAt,
  });
  const how = !saved
    ? ` (logged in with ${prepared.apiKey ? 'the configured key' : prepared.savedKeyFrom})`
    : result.renewed
      ? ' (renewed by the server)'
      : '';
  // The expiry the token carries; for a token without `exp` the SDK's is only an assumption.
  const expiry = kept.expiresAt
    ? `it expires ${formatLocalTime(new Date(kept.expiresAt))} (${formatRelative(Date.parse(kept.expiresAt), Date.now())})`
    : 'its expiry is unknown (the token carries no expiry)';
  output.line(
    `${output.paint('green', '✓')} Token for ${user} accepted by ${prepared.baseUrl}${how}; ${expiry}.`,
  );
}
