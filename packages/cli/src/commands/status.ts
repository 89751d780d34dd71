import { AuthenticationError, TestMaxError } from '@testmax/auth/node';
import { createSession, prepare } from '../cli-session.js';
import type { Context } from '../context.js';
import type { Sourced } from '../credentials.js';
import { describeError } from '../describe-error.js';
import { CliError, type ExitCodeValue } from '../exit-codes.js';
import { formatLocalTime, formatRelative } from '../format.js';
import { describeHome } from '../keychain/saved-keys.js';
import { ensureSaved, notLoggedIn, readSaved, tokenRejected } from '../saved-token.js';

type ServerVerdict =
  | { state: 'accepted'; renewed: boolean }
  | { state: 'refused' }
  | { state: 'unreachable'; message: string; exitCode: ExitCodeValue; hint: string };

/**
 * Who is logged in, where each setting came from, when the token expires and whether the
 * server still accepts it. Never the token or the key. Exit 0 only when a saved token is
 * accepted; 4 when not logged in; 3 when the saved token is refused or expired; 5 when the
 * server cannot be asked. It only reports: a refused token stays in the cache (the commands
 * that use it, `token`, `accounts` and `validate`, drop it), a renewed one is saved.
 */
export async function run(context: Context): Promise<void> {
  const prepared = await prepare(context);
  const { output } = context;
  const { chain } = prepared;
  const user = prepared.user;
  let cached = user ? await readSaved(context, prepared, user.value) : undefined;
  const expired = cached?.expired === true;

  let verdict: ServerVerdict | undefined;
  if (cached?.refused) verdict = { state: 'refused' };
  else if (cached && !expired && user) {
    // Only the saved token: status reports, it never logs in.
    const session = createSession(context, prepared, { userName: user.value });
    try {
      const result = await session.validate();
      verdict = { state: 'accepted', renewed: result.renewed };
      cached = { ...cached, ...(await ensureSaved(prepared, session)) };
    } catch (error) {
      if (error instanceof AuthenticationError) verdict = { state: 'refused' };
      else if (error instanceof TestMaxError) {
        const { message, exitCode, hint } = await describeError(error, context);
        verdict = { state: 'unreachable', message, exitCode, hint };
      } else throw error;
    }
  }

  // Where the key lives: the chain, else what login saved (asking the keychain only then).
  const saved = chain.apiKey || !user ? undefined : await prepared.savedKey();
  const keyStorage = saved
    ? saved.where.kind === 'keychain'
      ? { kind: 'keychain', name: saved.where.name }
      : { kind: 'file', path: saved.where.path }
    : null;
  const tokenFile = cached?.file;
  const loggedIn = cached !== undefined && !expired;
  const source = (s: Sourced | undefined) => (s ? { value: s.value, source: s.from } : null);
  // The server verdict is a document field, not shown as the raw message twice. On failure,
  // Output adds ok: false and the error object to this same document.
  output.document({
    baseUrl: source(chain.baseUrl),
    userName: source(user),
    apiKey: chain.apiKey
      ? { configured: true, source: chain.apiKey.from, saved: null }
      : saved
        ? { configured: true, source: describeHome(saved.where), saved: keyStorage }
        : { configured: false, source: null, saved: null },
    accountName: source(chain.accountName),
    profile: source(chain.profile),
    session: {
      loggedIn,
      expired,
      expiresAt: cached?.expiresAt ?? null,
      tokenFile: cached ? tokenFile : null,
    },
    server: verdict ? serverField(verdict) : null,
    searched: chain.searched,
  });

  const p = output.paint;
  const label = (text: string) => p('bold', text.padEnd(10));
  const from = (s: Sourced) => p('dim', `(${s.from})`);
  output.line(`${label('API')} ${chain.baseUrl.value} ${from(chain.baseUrl)}`);
  if (chain.profile) output.line(`${label('Profile')} ${chain.profile.value} ${from(chain.profile)}`);
  output.line(`${label('User')} ${user ? `${user.value} ${from(user)}` : p('yellow', 'not configured')}`);
  const keyLine = chain.apiKey
    ? `configured ${from(chain.apiKey)}`
    : saved
      ? `saved in ${describeHome(saved.where)}`
      : cached
        ? 'not configured (only the saved token can be used; `testmax login` keeps the key in the OS keychain)'
        : 'not configured';
  output.line(`${label('API key')} ${keyLine}`);
  if (chain.accountName)
    output.line(`${label('Account')} ${chain.accountName.value} ${from(chain.accountName)}`);
  if (!cached) {
    output.line(`${label('Session')} ${p('yellow', 'not logged in')}`);
  } else {
    const when = cached.expiresAt
      ? `${formatLocalTime(new Date(cached.expiresAt))} (${formatRelative(Date.parse(cached.expiresAt), Date.now())})`
      : 'unknown (the token carries no expiry)';
    output.line(`${label('Session')} ${expired ? p('yellow', `expired ${when}`) : `token expires ${when}`}`);
    output.line(`${label('')} saved in ${tokenFile}`);
  }
  if (verdict?.state === 'accepted') {
    output.line(`${label('Server')} ${p('green', '✓ token accepted')}${verdict.renewed ? ' (renewed)' : ''}`);
  } else if (verdict?.state === 'refused') {
    output.line(`${label('Server')} ${p('red', '✗ token refused (expired or revoked)')}`);
  } else if (verdict?.state === 'unreachable') {
    output.line(`${label('Server')} ${p('red', '✗ could not check')}`);
  }

  const automatic =
    (chain.apiKey || saved) && user
      ? ' (with the key configured, `testmax token` also logs in by itself)'
      : '';
  // The exit codes of the saved-token decision; status keeps the token (it only reports).
  const hint = `Run \`testmax login\`${automatic}.`;
  if (!cached) throw notLoggedIn('Not logged in.', hint);
  if (expired) throw tokenRejected('The saved session token has expired.', { hint });
  if (verdict?.state === 'refused') {
    throw tokenRejected('The server refused the saved session token (expired or revoked).', { hint });
  }
  if (verdict?.state === 'unreachable') {
    throw new CliError(verdict.exitCode, verdict.message, verdict.hint);
  }
}

/** The verdict as the JSON document shows it (the exit code is in the error object). */
function serverField(verdict: ServerVerdict): Record<string, unknown> {
  if (verdict.state === 'unreachable') return { state: verdict.state, message: verdict.message };
  return verdict;
}
