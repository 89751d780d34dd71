/**
 * Everything a command knows before talking to the server (`prepare`), and the one place a
 * command's `AuthSession` is made (`createSession`): the token cache as its store, the CLI's
 * request settings, its logger, and the check that a key goes where the user meant.
 */
import {
  AuthSession,
  checkKeyDestination,
  type FileTokenStore,
  type LogDetails,
  type Logger,
} from '@testmax/auth/node';
import type { Context } from './context.js';
import { type Chain, readChain, type Sourced } from './credentials.js';
import { describeHome, type FoundKey, SavedKeys } from './keychain/saved-keys.js';
import { migrateOldSessions } from './old-sessions.js';
import { describeSettings, type RequestSettings, requestSettings, retryFor } from './settings.js';
import { openTokenStore } from './state-dir.js';

export interface Prepared {
  chain: Chain;
  /** The token cache: `fileTokenStore` in the state directory, shared with bots on the machine. */
  store: FileTokenStore;
  baseUrl: string;
  /** The config-file profile (--profile, TESTMAX_PROFILE): its own token and saved key. */
  profile?: string;
  /** The user: from the chain, else the last one who logged in to this base URL (and profile). */
  user?: Sourced;
  /** The key, when the chain has one for this user. */
  apiKey?: string;
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

export async function prepare(
  context: Context,
  flags: { userName?: string } = {},
  /** The chain, when the command has read it already (its warnings are said once). */
  chain: Chain = readChain(context, flags),
): Promise<Prepared> {
  const store = openTokenStore(context);
  await migrateOldSessions(context, store);
  const baseUrl = chain.baseUrl.value;
  const profile = chain.profile?.value;
  let user = chain.userName;
  if (!user) {
    const last = (await store.scopes()).find(
      ({ scope }) => scope.baseUrl === baseUrl && scope.profile === profile,
    );
    if (last)
      user = { value: last.scope.userName, from: 'last login, from the token cache', origin: 'cache' };
  }
  const savedKeys = new SavedKeys(context.env, (message) => context.output.warn(message));
  let lookup: Promise<FoundKey | undefined> | undefined;
  const prepared: Prepared = {
    chain,
    store,
    baseUrl,
    ...(profile ? { profile } : {}),
    ...(user ? { user } : {}),
    ...(chain.apiKey ? { apiKey: chain.apiKey.value } : {}),
    savedKeys,
    savedKey: () => {
      lookup ??= findSavedKey(context, prepared);
      return lookup;
    },
  };
  return prepared;
}

/** The scope of the user's token in the cache (and of their saved key). */
export function scopeOf(prepared: Prepared, userName: string) {
  return { baseUrl: prepared.baseUrl, userName, profile: prepared.profile };
}

async function findSavedKey(context: Context, prepared: Prepared): Promise<FoundKey | undefined> {
  const userName = prepared.user?.value;
  if (!userName) return undefined;
  const found = await prepared.savedKeys.find(scopeOf(prepared, userName));
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

/** Per run: the attempt number of the last send to each `METHOD /path`, from the SDK's log details. */
const lastAttempts = new WeakMap<Context, Map<string, number>>();

function noteAttempt(context: Context, details: LogDetails | undefined): void {
  if (typeof details?.attempt !== 'number' || !details.method || !details.path) return;
  const attempts = lastAttempts.get(context) ?? new Map<string, number>();
  lastAttempts.set(context, attempts);
  attempts.set(`${details.method} ${details.path}`, details.attempt);
}

/**
 * How many attempts the SDK made for the last answer to `method` at `pathname` (the URL's full
 * path) in this run — the number of its final attempt, which its debug details carry — or
 * undefined when nothing was logged for it.
 */
export function attemptsOf(context: Context, method: string, pathname: string): number | undefined {
  return lastAttempts.get(context)?.get(`${method} ${pathname}`);
}

/** The SDK's debug lines and warnings, through the CLI's output rules. */
export function loggerFor(context: Context): Logger {
  return {
    debug: (message, details) => {
      noteAttempt(context, details);
      context.output.debug(message);
    },
    // A token cache that fails is reported by the command itself, in one line naming the
    // directory (saved-token.ts): the session's own warning about it is a debug line here.
    warn: (message, details) =>
      details?.store ? context.output.debug(message) : context.output.warn(message),
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

export interface SessionOptions {
  userName: string;
  apiKey?: string | undefined;
  /** A token to revoke or use without the cache (`false` store): a token nobody saved. */
  token?: string;
  /** Keep the token in the cache (default), or not at all. */
  store?: boolean;
  retries?: number;
}

/**
 * A session for one command. With the cache as its store it shares the token with every
 * other `testmax` process and bot on the machine (one login at a time among them); the CLI
 * never logs out on exit (a command ends, the login stays).
 */
export function createSession(context: Context, prepared: Prepared, options: SessionOptions): AuthSession {
  const settings = settingsFor(context);
  if (options.apiKey) {
    // A key about to be sent must not go where only the directory's .env says: that holds for
    // a key typed or piped to `login` as much as for one from the chain.
    const fromChain = options.apiKey === prepared.chain.apiKey?.value;
    const description = prepared.savedKeyFrom ?? 'the key you gave testmax login';
    checkKeyDestination(prepared.chain.resolved, fromChain ? undefined : { description });
  }
  return new AuthSession({
    userName: options.userName,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    ...(options.token ? { token: options.token } : {}),
    ...(options.store === false ? {} : { store: prepared.store }),
    baseUrl: prepared.baseUrl,
    ...(prepared.chain.accountName ? { accountName: prepared.chain.accountName.value } : {}),
    ...(prepared.profile ? { profile: prepared.profile } : {}),
    timeoutMs: settings.timeoutMs,
    retry: retryFor(settings, context.startedAt, options.retries),
    logger: loggerFor(context),
    logoutOnDispose: false,
  });
}
