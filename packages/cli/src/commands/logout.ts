import { type Prepared, prepare, scopeOf } from '../cli-session.js';
import type { Context } from '../context.js';
import { describeError } from '../describe-error.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { keychainEntry } from '../keychain/key-scope.js';
import { type Revocation, revoke } from '../revoke.js';
import { dropSaved, readSaved } from '../saved-token.js';

/**
 * Revoke the saved token on the server, then delete it locally. Idempotent: with nothing
 * saved it says so and exits 0. When the server cannot be asked (network, timeout, 5xx, 429)
 * the file is kept, so `testmax logout` can simply be run again (exit 5); a token the server
 * already refuses is deleted ("was already invalid"). Any other failure deletes the local copy,
 * since running logout again would only fail the same way.
 */
export async function run(context: Context): Promise<void> {
  const prepared = await prepare(context);
  const { output } = context;
  const user = prepared.user?.value;
  const cached = user ? await readSaved(context, prepared, user) : undefined;
  // The saved key goes whatever happens to the token: logging out means this machine no longer
  // logs in by itself (a token the server could not revoke is kept, so logout can be retried).
  const forgotten = user ? await forgetKey(context, prepared, user) : { removed: [] as string[] };
  if (!user || !cached) {
    output.document({
      loggedOut: false,
      wasLoggedIn: false,
      revoked: false,
      baseUrl: prepared.baseUrl,
      userName: user ?? null,
      profile: prepared.profile ?? null,
      apiKeyRemovedFrom: forgotten.removed,
    });
    const rest = forgotten.removed.length > 0 ? 'no token to revoke' : 'nothing to do';
    output.line(`Not logged in${user ? ` as ${user}` : ''} at ${prepared.baseUrl}; ${rest}.`);
    for (const place of forgotten.removed) output.line(`  The saved API key was removed from ${place}.`);
    return;
  }

  let outcome: Revocation;
  try {
    outcome = await revoke(context, prepared, user);
  } catch (error) {
    const { exitCode, message } = await describeError(error, context);
    if (exitCode === ExitCode.unavailable) {
      throw new CliError(
        exitCode,
        message,
        `The saved token for ${user} was kept, so the revocation can be retried: run \`testmax logout\` again.`,
        { cause: error },
      );
    }
    await dropSaved(prepared, user);
    throw new CliError(
      exitCode,
      message,
      'The saved token was deleted here, but the server may accept it until it expires.',
      { cause: error },
    );
  }
  await dropSaved(prepared, user);
  const revoked = outcome === 'revoked';
  output.document({
    loggedOut: true,
    wasLoggedIn: true,
    revoked,
    baseUrl: prepared.baseUrl,
    userName: user,
    profile: prepared.profile ?? null,
    apiKeyRemovedFrom: forgotten.removed,
  });
  output.line(
    revoked
      ? `${output.paint('green', '✓')} Logged out ${user} from ${prepared.baseUrl}; the saved token was revoked and deleted.`
      : `${output.paint('green', '✓')} Logged out ${user} from ${prepared.baseUrl}; the saved token was already invalid, and has been deleted.`,
  );
  for (const place of forgotten.removed) output.line(`  The saved API key was removed from ${place}.`);
}

/** Forget the key `login` saved for this user and profile; a keychain that fails is said. */
async function forgetKey(context: Context, prepared: Prepared, user: string): Promise<{ removed: string[] }> {
  const scope = scopeOf(prepared, user);
  const { removed, problem } = await prepared.savedKeys.forget(scope);
  if (problem) {
    const { service, account } = keychainEntry(scope);
    context.output.warn(
      `could not remove a saved API key from ${prepared.savedKeys.keychain.name} (${problem.reason}); if one is there, delete the entry "${service}" for ${account} by hand`,
    );
  }
  return { removed };
}
