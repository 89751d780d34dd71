import { createSession, prepare, scopeOf } from '../cli-session.js';
import type { Context } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { formatLocalTime, formatRelative } from '../format.js';
import { storeLoginKey } from '../keychain/key-storage-report.js';
import { type LoginSources, logIn } from '../login-errors.js';
import { promptVisible, readApiKey } from '../prompt.js';
import { revokeQuietly } from '../revoke.js';
import { ensureSaved, readSaved } from '../saved-token.js';
import { refuseLinkedDir } from '../state-dir.js';

interface LoginOptions {
  username?: string;
  apiKeyStdin?: boolean;
  insecureStorage?: boolean;
}

export async function run(context: Context, options: LoginOptions): Promise<void> {
  const { output, input } = context;
  // Read without the --username flag, to learn whose key the chain holds.
  const prepared = await prepare(context);
  const { chain } = prepared;

  let userName = options.username?.trim() || chain.userName?.value;
  let userFrom = options.username?.trim() ? 'flag --username' : chain.userName?.from;
  // The chain's key belongs to the chain's user: never send it on behalf of another name.
  const chainKeyFits = (name: string | undefined) =>
    chain.apiKey !== undefined &&
    (chain.userName === undefined || chain.userName.value.toLowerCase() === name?.toLowerCase());
  // With no terminal to ask on, say at once everything that is missing, and where each can come from.
  if (!input.isTTY) {
    const missing = {
      userName: !userName,
      apiKey: !options.apiKeyStdin && !chainKeyFits(userName),
    };
    if (missing.userName || missing.apiKey) throw nothingToLogInWith(missing, chain.searched);
  }
  if (!userName) {
    userName = await promptVisible('TestMax user name (e-mail): ', input, output.promptStream);
    userFrom = 'typed at the prompt';
    if (!userName)
      throw new CliError(ExitCode.usage, 'No user name was entered.', 'Pass --username <email>.');
  }

  let apiKey: string;
  let keyFrom: string;
  const keyConfigured = !options.apiKeyStdin && chainKeyFits(userName);
  if (!keyConfigured) {
    keyFrom = input.isTTY ? 'typed at the prompt' : 'read from standard input';
    apiKey = await readApiKey(input, {
      fromStdin: options.apiKeyStdin === true,
      userName,
      stderr: output.promptStream,
    });
    output.addSecret(apiKey);
  } else {
    apiKey = chain.apiKey!.value;
    keyFrom = chain.apiKey!.from;
    output.info(`Using the API key from ${chain.apiKey!.from}.`);
  }
  const sources: LoginSources = { user: userFrom ?? 'not configured', key: keyFrom };

  // Nothing goes through a cache directory that is a link to somewhere else; a file in the
  // token's place that is not a file is removed, so the new token can be saved.
  await refuseLinkedDir(prepared.store.dir);
  await readSaved(context, prepared, userName, { replaceBad: true });

  // A new login; the token it replaces in the cache (this user's) is revoked by the session.
  const session = createSession(context, prepared, { userName, apiKey });
  await logIn(session, sources, 'fresh');
  let saved: Awaited<ReturnType<typeof ensureSaved>>;
  try {
    saved = await ensureSaved(prepared, session);
  } catch (error) {
    // A token nobody can find again is a token nobody can log out: revoke it now.
    const orphan = await session.getSessionToken().catch(() => undefined);
    if (orphan) await revokeQuietly(context, prepared, userName, orphan);
    throw error;
  }
  output.addSecret(saved.token);
  const { storage, lines } = await storeLoginKey(
    output,
    prepared.savedKeys,
    scopeOf(prepared, userName),
    { value: apiKey, from: keyFrom, configured: keyConfigured },
    options.insecureStorage === true,
  );

  output.document({
    userName,
    baseUrl: prepared.baseUrl,
    profile: prepared.profile ?? null,
    expiresAt: saved.expiresAt,
    tokenFile: saved.file,
    apiKeyStorage: storage,
  });
  const expiry = saved.expiresAt
    ? `; it expires ${formatLocalTime(new Date(saved.expiresAt))} (${formatRelative(Date.parse(saved.expiresAt), Date.now())})`
    : '; its expiry is unknown (the token carries no expiry)';
  const profile = prepared.profile ? ` (profile ${prepared.profile})` : '';
  output.line(
    `${output.paint('green', '✓')} Logged in to ${prepared.baseUrl} as ${output.paint('bold', userName)}${profile}.`,
  );
  output.line(`  Session token saved to ${saved.file}${expiry}.`);
  for (const line of lines) output.line(line);
}

/** Exit 4, naming what is missing (the user name, the key, or both) and every place it may come from. */
function nothingToLogInWith(
  missing: { userName: boolean; apiKey: boolean },
  searched: { dotenvPath: string; configPath: string },
): CliError {
  const what =
    missing.userName && missing.apiKey
      ? 'No user name and no API key to log in with'
      : missing.userName
        ? 'No user name to log in with'
        : 'No API key to log in with';
  const sources = [
    missing.userName
      ? `user name: --username <email>, TESTMAX_USERNAME (in the environment or ${searched.dotenvPath}) or "username" in ${searched.configPath}`
      : '',
    missing.apiKey
      ? `API key: piped to --api-key-stdin, TESTMAX_API_KEY (in the environment or ${searched.dotenvPath}) or "api_key" in ${searched.configPath}`
      : '',
  ].filter(Boolean);
  return new CliError(
    ExitCode.notLoggedIn,
    `${what}, and no terminal to ask on.`,
    `Give the ${sources.join('; the ')}.`,
  );
}
