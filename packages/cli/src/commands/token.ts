import { prepare } from '../cli-session.js';
import type { Context } from '../context.js';
import { activeSession, ensureSaved } from '../saved-token.js';

/**
 * Print a token that works now, and nothing else, for `$(testmax token)`. The saved token is
 * checked with the server first (and refreshed if due); a refused one is replaced by a new
 * login when a key is configured. Processes asking at the same moment share one login.
 */
export async function run(context: Context): Promise<void> {
  const prepared = await prepare(context);
  const session = await activeSession(context, prepared, { verify: true });
  const saved = await ensureSaved(prepared, session);
  const { output } = context;
  if (output.json) {
    output.document(
      {
        token: saved.token,
        userName: session.userName,
        baseUrl: prepared.baseUrl,
        expiresAt: saved.expiresAt,
      },
      // The one document whose job is the token.
      { secretsAllowed: true },
    );
  } else {
    output.raw(`${saved.token}\n`);
  }
}
