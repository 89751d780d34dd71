import { prepare } from '../cli-session.js';
import type { Context } from '../context.js';
import { describeError } from '../describe-error.js';
import { CliError, ExitCode } from '../exit-codes.js';
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
  if (!user || !cached) {
    output.document({
      loggedOut: false,
      wasLoggedIn: false,
      revoked: false,
      baseUrl: prepared.baseUrl,
      userName: user ?? null,
    });
    output.line(`Not logged in${user ? ` as ${user}` : ''} at ${prepared.baseUrl}; nothing to do.`);
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
  });
  output.line(
    revoked
      ? `${output.paint('green', '✓')} Logged out ${user} from ${prepared.baseUrl}; the saved token was revoked and deleted.`
      : `${output.paint('green', '✓')} Logged out ${user} from ${prepared.baseUrl}; the saved token was already invalid, and has been deleted.`,
  );
}
