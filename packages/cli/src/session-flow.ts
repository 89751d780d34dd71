import {
  AuthenticationError,
  AuthSession,
  checkKeyDestination,
  decodeJwt,
  InvalidCredentialsError,
  type Logger,
} from '@testmax/auth/node';
import type { Context } from './context.js';
import { type Chain, readChain, type Sourced } from './credentials.js';
import { splitAdvice } from './describe-error.js';
import { CliError, ExitCode } from './exit-codes.js';
import { describeHome, type FoundKey, SavedKeys } from './keychain/saved-keys.js';
import { stateDir } from './paths.js';
import { describeSettings, type RequestSettings, requestSettings, retryFor } from './settings.js';
import { type CachedSession, TokenCache } from './token-cache.js';

/** Everything a command knows before talking to the server. */
export interface Prepared {
  chain: Chain;
  cache: TokenCache;
  baseUrl: string;
  /** The config-file profile (--profile, TESTMAX_PROFILE): its own token and saved key. */
  profile?: string;
  /** The user: from the chain, else the last one who logged in to this base URL. */
  user?: Sourced;
  /** The key, when the chain has one for this user. */
  apiKey?: string;
  /** The cached session of this user, if any (possibly expired). */
  cached?: CachedSession;
  /** Where `login` keeps the key: the OS keychain, or a 0600 file with --insecure-storage. */
  savedKeys: SavedKeys;
  /**
   * The key `login` saved for this user and profile. Asked for only when a login needs it (the
   * keychain is a process of its own, and a hung one costs seconds); asked once per command.
   */
  savedKey(): Promise<FoundKey | undefined>;
  /** Where the saved key came from, once `savedKey()` found one (for messages). */
  savedKeyFrom?: string;
}

export function openCache(context: Context): TokenCache {
  return new TokenCache(stateDir(context.env), (message) => context.output.warn(message));
}

export async function prepare(
  context: Context,
  flags: { userName?: string } = {},
  /** The chain, when the command has read it already (its warnings are said once). */
  chain: Chain = readChain(context, flags),
): Promise<Prepared> {
  const cache = openCache(context);
  const baseUrl = chain.baseUrl.value;
  const profile = chain.profile?.value;
  let user = chain.userName;
  let cached: CachedSession | undefined;
  if (user) {
    cached = await cache.read(baseUrl, user.value, profile);
  } else {
    cached = await cache.latest(baseUrl, profile);
    if (cached) user = { value: cached.userName, from: 'last login, from the token cache', origin: 'cache' };
  }
  if (cached) context.output.addSecret(cached.token);
  const savedKeys = new SavedKeys(context.env, (message) => context.output.warn(message));
  let lookup: Promise<FoundKey | undefined> | undefined;
  const prepared: Prepared = {
    chain,
    cache,
    baseUrl,
    ...(profile ? { profile } : {}),
    ...(user ? { user } : {}),
    ...(chain.apiKey ? { apiKey: chain.apiKey.value } : {}),
    ...(cached ? { cached } : {}),
    savedKeys,
    savedKey: () => {
      lookup ??= findSavedKey(context, prepared);
      return lookup;
    },
  };
  return prepared;
}

async function findSavedKey(context: Context, prepared: Prepared): Promise<FoundKey | undefined> {
  const userName = prepared.user?.value;
  if (!userName) return undefined;
  const found = await prepared.savedKeys.find({
    baseUrl: prepared.baseUrl,
    userName,
    profile: prepared.profile,
  });
  if ('apiKey' in found) {
    context.output.addSecret(found.apiKey);
    prepared.savedKeyFrom = `the key saved in ${describeHome(found.where)}`;
    context.output.debug(`using the API key saved in ${describeHome(found.where)}`);
    return found;
  }
  if (found.problem && found.problem.kind !== 'disabled' && found.problem.kind !== 'unavailable') {
    context.output.warn(
      `could not read the saved API key from ${prepared.savedKeys.keychain.name}: ${found.problem.reason}`,
    );
  }
  return undefined;
}

/** The key to log in with: the chain's, else the one `login` saved. */
export async function keyForLogin(prepared: Prepared): Promise<string | undefined> {
  return prepared.apiKey ?? (await prepared.savedKey())?.apiKey;
}

/** The SDK's debug lines and warnings, through the CLI's output rules. */
export function loggerFor(context: Context): Logger {
  return {
    debug: (message) => context.output.debug(message),
    warn: (message) => context.output.warn(message),
  };
}

const announced = new WeakSet<Context>();

/** The request settings, said once per run in --debug (a slow failure is then explained). */
export function settingsFor(context: Context): RequestSettings {
  const settings = requestSettings(context.env);
  if (!announced.has(context)) {
    announced.add(context);
    context.output.debug(describeSettings(settings));
  }
  return settings;
}

export function newSession(
  context: Context,
  prepared: Prepared,
  options: { userName: string; apiKey?: string; token?: string },
  overrides: { retries?: number; keyFrom?: string } = {},
): AuthSession {
  const settings = settingsFor(context);
  if (options.apiKey) {
    // A key about to be sent must not go where only the directory's .env says: that holds for
    // a key typed or piped to `login` as much as for one from the chain.
    const fromChain = options.apiKey === prepared.chain.apiKey?.value;
    const saved = !fromChain && prepared.savedKeyFrom !== undefined && options.apiKey !== undefined;
    checkKeyDestination(
      prepared.chain.resolved,
      fromChain
        ? undefined
        : { description: saved ? (prepared.savedKeyFrom as string) : 'the key you gave testmax login' },
    );
  }
  return new AuthSession({
    userName: options.userName,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.token ? { token: options.token } : {}),
    baseUrl: prepared.baseUrl,
    ...(prepared.chain.accountName ? { accountName: prepared.chain.accountName.value } : {}),
    ...(prepared.profile ? { profile: prepared.profile } : {}),
    timeoutMs: settings.timeoutMs,
    retry: retryFor(settings, context.startedAt, overrides.retries),
    logger: loggerFor(context),
  });
}

export function isExpired(cached: CachedSession, now = Date.now()): boolean {
  return cached.expiresAt !== null && Date.parse(cached.expiresAt) <= now;
}

/** Exit 4: there is no token and no key to log in with. */
export function notLoggedIn(message: string): CliError {
  return new CliError(
    ExitCode.notLoggedIn,
    message,
    'Run `testmax login` (or set TESTMAX_USERNAME and TESTMAX_API_KEY to log in automatically).',
  );
}

/** Exit 3: a saved token exists but cannot authenticate (refused by the server, or expired). */
export function tokenRejected(message: string, keyConfigured = false): CliError {
  return new CliError(
    ExitCode.authFailed,
    message,
    keyConfigured
      ? 'Run `testmax login`, or `testmax token` to log in again with the configured key.'
      : 'Run `testmax login` (or set TESTMAX_USERNAME and TESTMAX_API_KEY to log in automatically).',
  );
}

/** Where the user name and key of a login came from, for the hint when they are rejected. */
export interface LoginSources {
  user: string;
  key: string;
}

/**
 * The SDK's invalid-credentials message advises checking TESTMAX_USERNAME and TESTMAX_API_KEY;
 * after `--username` and a piped key that sends the user to the wrong place. Name what was used.
 */
export function explainLoginError(error: unknown, from: LoginSources): unknown {
  if (!(error instanceof InvalidCredentialsError)) return error;
  return new CliError(
    ExitCode.authFailed,
    splitAdvice(error.message).what,
    `Check the user name (${from.user}) and the API key (${from.key}), or create a new API key.`,
    { cause: error },
  );
}

export function chainSources(prepared: Prepared): LoginSources {
  return {
    user: prepared.user?.from ?? 'not configured',
    key: prepared.chain.apiKey?.from ?? prepared.savedKeyFrom ?? 'not configured',
  };
}

/** `session.authenticate()` with the rejection explained in the CLI's terms. */
export async function logIn(session: AuthSession, from: LoginSources): Promise<void> {
  try {
    await session.authenticate();
  } catch (error) {
    throw explainLoginError(error, from);
  }
}

/**
 * Save the session's current token for the next command. Never the key. A token without a
 * readable `exp` is saved with `expiresAt: null`: the SDK's 24 h is an assumption, and the cache
 * must not present it as a fact (status then says the expiry is unknown).
 */
export async function persist(prepared: Prepared, session: AuthSession): Promise<CachedSession> {
  const token = await session.getSessionToken();
  const readable = decodeJwt(token)?.exp !== undefined;
  return prepared.cache.write({
    baseUrl: prepared.baseUrl,
    userName: session.userName,
    ...(prepared.profile ? { profile: prepared.profile } : {}),
    token,
    expiresAt: readable ? (session.expiresAt?.toISOString() ?? null) : null,
  });
}

/**
 * A session with a usable token, for `token`, `accounts` and `api`:
 * - a cached token that has not expired is used (with `verify`, it is first checked with
 *   `Auth/validate`, so a revoked one is never handed out);
 * - otherwise, or when the server refuses it, log in again with the key from the chain, else
 *   the one `login` saved (the OS keychain, or the --insecure-storage file);
 * - with no key to log in with: exit 3 when there was a token (refused or expired), exit 4
 *   when there was none.
 */
export async function activeSession(
  context: Context,
  prepared: Prepared,
  options: { verify: boolean },
): Promise<AuthSession> {
  const user = prepared.user?.value;
  if (!user) {
    throw notLoggedIn('Not logged in, and no user name is configured.');
  }
  const { cached, apiKey, profile } = prepared;
  if (cached && !isExpired(cached)) {
    const session = newSession(context, prepared, {
      userName: user,
      token: cached.token,
      ...(apiKey ? { apiKey } : {}),
    });
    if (!options.verify) return session;
    try {
      await session.validate();
      return session;
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      context.output.debug('the cached token was refused by the server');
      await prepared.cache.remove(prepared.baseUrl, user, profile);
      const key = await keyForLogin(prepared);
      if (!key)
        throw tokenRejected(
          `The server refused the saved session token for ${user} (expired or revoked); it has been removed.`,
        );
      const fresh = key === apiKey ? session : newSession(context, prepared, { userName: user, apiKey: key });
      await logIn(fresh, chainSources(prepared));
      return fresh;
    }
  }
  if (cached) await prepared.cache.remove(prepared.baseUrl, user, profile);
  const key = await keyForLogin(prepared);
  if (!key) {
    if (cached) throw tokenRejected(`The saved session token for ${user} has expired; it has been removed.`);
    throw notLoggedIn(`Not logged in as ${user} at ${prepared.baseUrl}.`);
  }
  const session = newSession(context, prepared, { userName: user, apiKey: key });
  await logIn(session, chainSources(prepared));
  return session;
}

/**
 * Run an authenticated call. When the server refuses the token and the session has no key,
 * the one `login` saved logs in again and the call runs once more (a refused call was not
 * processed); with none, the cache entry is dropped and the command exits 3. With a key, the
 * SDK has already logged in again once; a rejected key is explained in the CLI's terms.
 * Resolves to the call's value and the session that made it (to persist its token).
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
    if (error instanceof AuthenticationError && !prepared.apiKey && error.code === 'TOKEN_EXPIRED') {
      await prepared.cache.remove(prepared.baseUrl, session.userName, prepared.profile);
      const saved = await prepared.savedKey();
      if (saved) {
        context.output.debug('the saved token was refused; logging in with the saved API key');
        const fresh = newSession(context, prepared, { userName: session.userName, apiKey: saved.apiKey });
        await logIn(fresh, chainSources(prepared));
        try {
          return { value: await call(fresh), session: fresh };
        } catch (again) {
          throw explainLoginError(again, chainSources(prepared));
        }
      }
      throw tokenRejected(
        `The server refused the saved session token for ${session.userName} (expired or revoked); it has been removed.`,
      );
    }
    throw explainLoginError(error, chainSources(prepared));
  }
}
