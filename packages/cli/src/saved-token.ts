/**
 * The saved token and what to do about it, in one place: read it from the cache (a file that
 * is not one is reported and left out), tell whether it expired or was refused, drop it then,
 * and decide — log in again with the key, or exit 3 (there was a token: rejected or expired)
 * or 4 (there was none).
 */
import { lstat, rm, unlink } from 'node:fs/promises';
import { AuthenticationError, AuthSession, readRegularFile } from '@testmax/auth/node';
import { createSession, keyForLogin, type Prepared, scopeOf } from './cli-session.js';
import type { Context } from './context.js';
import { CliError, ExitCode } from './exit-codes.js';
import { chainSources, explainLoginError, logIn } from './login-errors.js';
import { cacheError, lockDown } from './state-dir.js';

export interface SavedToken {
  readonly token: string;
  /** The file it is kept in. */
  readonly file: string;
  /** ISO 8601, or null when the token carries no readable expiry (the SDK's 24 h is an assumption). */
  readonly expiresAt: string | null;
  readonly expired: boolean;
  /** Marked refused in the cache (by this CLI or a bot sharing it). */
  readonly refused: boolean;
}

/** What the session knows about its token's expiry, as the CLI shows and saves it. */
export function expiryOf(session: AuthSession): string | null {
  return session.expiryKnown ? (session.expiresAt?.toISOString() ?? null) : null;
}

/**
 * The user's saved token, if any. A file there that is not a regular file is reported and
 * ignored; with `replaceBad` (about to log in) it is removed, so the new token can be saved.
 */
export async function readSaved(
  context: Context,
  prepared: Prepared,
  userName: string,
  options: { replaceBad?: boolean } = {},
): Promise<SavedToken | undefined> {
  const scope = scopeOf(prepared, userName);
  const file = prepared.store.fileOf(scope);
  const found = await readRegularFile(file, { maxBytes: 64 * 1024 }).catch(() => undefined);
  if (found?.kind === 'refused') {
    context.output.warn(
      `ignoring ${file}: it ${found.problem}; remove it (testmax keeps a session file there)`,
    );
    if (options.replaceBad) await removeNotAFile(file);
    return undefined;
  }
  if (found?.kind !== 'text') return undefined;
  const stored = await prepared.store.get(scope).catch(() => undefined);
  if (!stored) return undefined;
  context.output.addSecret(stored.token);
  // The session tells the expiry (and whether it is only assumed); nothing is sent.
  const session = new AuthSession({ userName, token: stored.token, logger: false, rateLimit: false });
  const expiresAt = expiryOf(session);
  return {
    token: stored.token,
    file,
    expiresAt,
    expired: expiresAt !== null && Date.parse(expiresAt) <= Date.now(),
    refused: stored.refused === true,
  };
}

/** Forget the user's saved token (it expired, or the server refused it). */
export async function dropSaved(prepared: Prepared, userName: string): Promise<void> {
  await prepared.store.delete(scopeOf(prepared, userName)).catch(() => false);
}

const LOGIN_OR_ENV_HINT =
  'Run `testmax login` (or set TESTMAX_USERNAME and TESTMAX_API_KEY to log in automatically).';

/** Exit 4: there is no token and no key to log in with. `hint`: what to do, when the caller knows better. */
export function notLoggedIn(message: string, hint = LOGIN_OR_ENV_HINT): CliError {
  return new CliError(ExitCode.notLoggedIn, message, hint);
}

/**
 * Exit 3: a saved token exists but cannot authenticate (refused by the server, or expired).
 * The hint says how to log in again: with the configured key (`keyConfigured`), or `hint`.
 */
export function tokenRejected(
  message: string,
  { keyConfigured = false, hint }: { keyConfigured?: boolean; hint?: string } = {},
): CliError {
  return new CliError(
    ExitCode.authFailed,
    message,
    hint ??
      (keyConfigured
        ? 'Run `testmax login`, or `testmax token` to log in again with the configured key.'
        : LOGIN_OR_ENV_HINT),
  );
}

/** Why exit 3, when the server refused the saved token (which is then dropped). */
export const refusedMessage = (user: string) =>
  `The server refused the saved session token for ${user} (expired or revoked); it has been removed.`;

/**
 * The user, their usable saved token, and the key to log in with when there is none: the
 * chain's, else the one `login` saved (asked for only then). A saved token that expired or was
 * refused is dropped; without a key that is exit 3, and no token at all is exit 4.
 */
export async function usableSaved(
  context: Context,
  prepared: Prepared,
): Promise<{ user: string; saved: SavedToken | undefined; apiKey: string | undefined }> {
  const user = prepared.user?.value;
  if (!user) throw notLoggedIn('Not logged in, and no user name is configured.');
  let saved = await readSaved(context, prepared, user);
  if (saved?.expired || saved?.refused) {
    await dropSaved(prepared, user);
    if (!(await keyForLogin(prepared))) {
      throw tokenRejected(
        saved.refused
          ? refusedMessage(user)
          : `The saved session token for ${user} has expired; it has been removed.`,
      );
    }
    saved = undefined;
  }
  const apiKey = saved ? prepared.apiKey : await keyForLogin(prepared);
  if (!saved && !apiKey) throw notLoggedIn(`Not logged in as ${user} at ${prepared.baseUrl}.`);
  return { user, saved, apiKey };
}

/**
 * A session with a usable token, for `token`, `accounts` and `api`: the saved token (with
 * `verify`, checked with `Auth/validate` first, so a revoked one is never handed out), else a
 * login with the key from the chain or the one `login` saved — shared with any other process
 * logging in at the same moment.
 */
export async function activeSession(
  context: Context,
  prepared: Prepared,
  options: { verify: boolean },
): Promise<AuthSession> {
  const { user, saved, apiKey } = await usableSaved(context, prepared);
  const session = createSession(context, prepared, { userName: user, apiKey });
  if (!saved) {
    await logIn(session, chainSources(prepared), 'shared');
    return session;
  }
  if (!options.verify) return session;
  try {
    await session.validate();
    return session;
  } catch (error) {
    if (!(error instanceof AuthenticationError)) throw error;
    context.output.debug('the cached token was refused by the server');
    await dropSaved(prepared, user);
    return loginWithSavedKey(context, prepared, session);
  }
}

/**
 * The session's token was refused and it has no key of its own (with one, the SDK has already
 * logged in again): a session with the key `login` saved, logged in; exit 3 without one.
 */
async function loginWithSavedKey(
  context: Context,
  prepared: Prepared,
  refused: AuthSession,
): Promise<AuthSession> {
  const apiKey = await keyForLogin(prepared);
  if (!apiKey) throw tokenRejected(refusedMessage(refused.userName));
  const session =
    apiKey === prepared.apiKey
      ? refused
      : createSession(context, prepared, { userName: refused.userName, apiKey });
  await logIn(session, chainSources(prepared), 'shared');
  return session;
}

/**
 * Run an authenticated call. When the server refuses the token and the session has no key,
 * the one `login` saved logs in and the call runs once more (a refused call was not
 * processed); with none, the token is dropped and the command exits 3. With a key, the SDK
 * has already logged in again once; a rejected key is explained in the CLI's terms. Resolves
 * to the call's value and the session that made it.
 */
export async function withSession<T>(
  context: Context,
  prepared: Prepared,
  session: AuthSession,
  call: (session: AuthSession) => Promise<T>,
): Promise<{ value: T; session: AuthSession }> {
  try {
    return { value: await call(session), session };
  } catch (error) {
    if (!(error instanceof AuthenticationError && !prepared.apiKey && error.code === 'TOKEN_EXPIRED'))
      throw explainLoginError(error, chainSources(prepared));
    await dropSaved(prepared, session.userName);
    context.output.debug('the saved token was refused; logging in with the saved API key');
    const fresh = await loginWithSavedKey(context, prepared, session);
    try {
      return { value: await call(fresh), session: fresh };
    } catch (again) {
      throw explainLoginError(again, chainSources(prepared));
    }
  }
}

/**
 * Make sure the session's token is in the cache for the next command (the session writes it
 * when it logs in or renews; this checks, and says why when it could not), with the cache
 * directory locked down. Resolves to what was saved.
 */
export async function ensureSaved(
  prepared: Prepared,
  session: AuthSession,
): Promise<{ token: string; expiresAt: string | null; file: string }> {
  const token = await session.getSessionToken();
  const scope = scopeOf(prepared, session.userName);
  await lockDown(prepared.store.dir);
  const file = prepared.store.fileOf(scope);
  try {
    const stored = await prepared.store.get(scope);
    if (stored?.token !== token) {
      await prepared.store.compareAndSet(scope, stored?.generation ?? 0, { token, receivedAt: Date.now() });
    }
  } catch (error) {
    throw cacheError('write', prepared.store.dir, error);
  }
  return { token, expiresAt: expiryOf(session), file };
}

/**
 * Remove what sits where the token file goes (a FIFO, a link, a directory). Not `rm()` for
 * anything but a directory: on Node 20, `fs.promises.rm` of a FIFO breaks every later
 * `import()` of a CommonJS package through a symbolic link (proper-lockfile's graceful-fs
 * is then not found); `unlink` does not.
 */
async function removeNotAFile(path: string): Promise<void> {
  const info = await lstat(path).catch(() => undefined);
  if (info?.isDirectory()) await rm(path, { recursive: true, force: true }).catch(() => {});
  else if (info) await unlink(path).catch(() => {});
}
