import type { Context } from '../context.js';
import { activeSession, persist, prepare } from '../session-flow.js';

/**
 * Print a token that works now, and nothing else, for `$(testmax token)`. The cached token is
 * checked with the server first (and refreshed if due); a refused one is replaced by a new
 * login when a key is configured.
 */
export async function run(context: Context): Promise<void> {
  const prepared = await prepare(context);
  const session = await activeSession(context, prepared, { verify: true });
  const saved = await persist(prepared, session);
  const { output } = context;
  if (output.json) {
    output.document(
      {
        token: saved.token,
        userName: saved.userName,
        baseUrl: saved.baseUrl,
        expiresAt: saved.expiresAt,
      },
      // The one document whose job is the token.
      { secretsAllowed: true },
    );
  } else {
    output.raw(`${saved.token}\n`);
  }
}
