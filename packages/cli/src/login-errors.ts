/** A login's failure explained in the CLI's terms: where the rejected user name and key came from. */
import { type AuthSession, InvalidCredentialsError } from '@testmax/auth/node';
import type { Prepared } from './cli-session.js';
import { CliError, ExitCode } from './exit-codes.js';

export interface LoginSources {
  user: string;
  key: string;
}

/**
 * The SDK's advice for rejected credentials names TESTMAX_USERNAME and TESTMAX_API_KEY; after
 * `--username` and a piped key that sends the user to the wrong place: name what was used.
 */
export function explainLoginError(error: unknown, from: LoginSources): unknown {
  if (!(error instanceof InvalidCredentialsError)) return error;
  return new CliError(
    ExitCode.authFailed,
    error.summary,
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

/**
 * Log in, with a rejection explained. `fresh`: a new login whatever is saved (`testmax login`;
 * the token it replaces is revoked). `shared`: the token the cache holds if another process
 * has just saved one, else a login — one among processes logging in at the same moment.
 */
export async function logIn(
  session: AuthSession,
  from: LoginSources,
  how: 'fresh' | 'shared',
): Promise<void> {
  try {
    if (how === 'fresh') await session.authenticate();
    else await session.getSessionToken();
  } catch (error) {
    throw explainLoginError(error, from);
  }
}
