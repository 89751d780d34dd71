import { AuthenticationError, AuthSession, type Logger } from '@testmax/auth/node';
import type { Context } from './context.js';
import { type Chain, readChain, type Sourced } from './credentials.js';
import { CliError, ExitCode } from './exit-codes.js';
import { stateDir } from './paths.js';
import { requestSettings } from './settings.js';
import { type CachedSession, TokenCache } from './token-cache.js';

/** Everything a command knows before talking to the server. */
export interface Prepared {
  chain: Chain;
  cache: TokenCache;
  baseUrl: string;
  /** The user: from the chain, else the last one who logged in to this base URL. */
  user?: Sourced;
  /** The key, when the chain has one for this user. */
  apiKey?: string;
  /** The cached session of this user, if any (possibly expired). */
  cached?: CachedSession;
}

export function openCache(context: Context): TokenCache {
  return new TokenCache(stateDir(context.env), (message) => context.output.warn(message));
}

export async function prepare(context: Context, flags: { userName?: string } = {}): Promise<Prepared> {
  const chain = readChain(context, flags);
  const cache = openCache(context);
  const baseUrl = chain.baseUrl.value;
  let user = chain.userName;
  let cached: CachedSession | undefined;
  if (user) {
    cached = await cache.read(baseUrl, user.value);
  } else {
    cached = await cache.latest(baseUrl);
    if (cached) user = { value: cached.userName, from: 'last login, from the token cache', origin: 'cache' };
  }
  if (cached) context.output.addSecret(cached.token);
  return {
    chain,
    cache,
    baseUrl,
    ...(user ? { user } : {}),
    ...(chain.apiKey ? { apiKey: chain.apiKey.value } : {}),
    ...(cached ? { cached } : {}),
  };
}

/** The SDK's debug lines and warnings, through the CLI's output rules. */
export function loggerFor(context: Context): Logger {
  return {
    debug: (message) => context.output.debug(message),
    warn: (message) => context.output.warn(message),
  };
}

export function newSession(
  context: Context,
  prepared: Prepared,
  options: { userName: string; apiKey?: string; token?: string },
): AuthSession {
  const { timeoutMs, retries } = requestSettings(context.env);
  return new AuthSession({
    userName: options.userName,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.token ? { token: options.token } : {}),
    baseUrl: prepared.baseUrl,
    ...(prepared.chain.accountName ? { accountName: prepared.chain.accountName.value } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(retries === undefined ? {} : { retry: { retries } }),
    logger: loggerFor(context),
  });
}

export function isExpired(cached: CachedSession, now = Date.now()): boolean {
  return cached.expiresAt !== null && Date.parse(cached.expiresAt) <= now;
}

export function notLoggedIn(message: string): CliError {
  return new CliError(
    ExitCode.notLoggedIn,
    message,
    'Run `testmax login` (or set TESTMAX_USERNAME and TESTMAX_API_KEY to log in automatically).',
  );
}

/** Save the session's current token for the next command. Never the key. */
export async function persist(prepared: Prepared, session: AuthSession): Promise<CachedSession> {
  const token = await session.getSessionToken();
  return prepared.cache.write({
    baseUrl: prepared.baseUrl,
    userName: session.userName,
    token,
    expiresAt: session.expiresAt?.toISOString() ?? null,
  });
}

/**
 * A session with a usable token, for `token` and `accounts`:
 * - a cached token that has not expired is used (with `verify`, it is first checked with
 *   `Auth/validate`, so a revoked one is never handed out);
 * - otherwise, or when the server refuses it, log in again with the key from the chain;
 * - with no key to log in with, the user is not logged in (exit 4).
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
  const { cached, apiKey } = prepared;
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
      await prepared.cache.remove(prepared.baseUrl, user);
      if (!apiKey)
        throw notLoggedIn(`The saved session for ${user} was refused by the server (expired or revoked).`);
      await session.authenticate();
      return session;
    }
  }
  if (cached) await prepared.cache.remove(prepared.baseUrl, user);
  if (!apiKey) {
    throw notLoggedIn(
      cached
        ? `The saved session for ${user} has expired.`
        : `Not logged in as ${user} at ${prepared.baseUrl}.`,
    );
  }
  const session = newSession(context, prepared, { userName: user, apiKey });
  await session.authenticate();
  return session;
}

/**
 * Run an authenticated call. Without a key, a refused token means "logged out": the cache
 * entry is dropped and the user is told to log in (exit 4) rather than "authentication failed".
 */
export async function withSession<T>(
  prepared: Prepared,
  session: AuthSession,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AuthenticationError && !prepared.apiKey && error.code === 'TOKEN_EXPIRED') {
      await prepared.cache.remove(prepared.baseUrl, session.userName);
      throw notLoggedIn(
        `The saved session for ${session.userName} was refused by the server (expired or revoked).`,
      );
    }
    throw error;
  }
}
