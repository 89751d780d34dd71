import type { Context } from '../context.js';
import { CliError, ExitCode } from '../exit-codes.js';
import { formatLocalTime, formatRelative } from '../format.js';
import { promptVisible, readApiKey } from '../prompt.js';
import { newSession, persist, prepare } from '../session-flow.js';

interface LoginOptions {
  username?: string;
  apiKeyStdin?: boolean;
}

export async function run(context: Context, options: LoginOptions): Promise<void> {
  const { output } = context;
  // Read without the --username flag, to learn whose key the chain holds.
  const prepared = await prepare(context);
  const { chain } = prepared;

  let userName = options.username?.trim() || chain.userName?.value;
  if (!userName) {
    if (!process.stdin.isTTY) {
      throw new CliError(
        ExitCode.notLoggedIn,
        'No user name given.',
        'Pass --username <email> (or set TESTMAX_USERNAME).',
      );
    }
    userName = await promptVisible('TestMax user name (e-mail): ');
    if (!userName)
      throw new CliError(ExitCode.usage, 'No user name was entered.', 'Pass --username <email>.');
  }

  // The chain's key belongs to the chain's user: never send it on behalf of another name.
  const chainKeyFits =
    chain.apiKey !== undefined &&
    (chain.userName === undefined || chain.userName.value.toLowerCase() === userName.toLowerCase());
  let apiKey: string;
  if (options.apiKeyStdin || !chainKeyFits) {
    apiKey = await readApiKey({ fromStdin: options.apiKeyStdin === true, userName });
    output.addSecret(apiKey);
  } else {
    apiKey = chain.apiKey!.value;
    output.info(`Using the API key from ${chain.apiKey!.from}.`);
  }

  const session = newSession(context, prepared, { userName, apiKey });
  await session.authenticate();
  const saved = await persist(prepared, session);
  const file = prepared.cache.fileFor(prepared.baseUrl, userName);

  output.document({
    userName,
    baseUrl: prepared.baseUrl,
    expiresAt: saved.expiresAt,
    tokenFile: file,
  });
  const expiry = saved.expiresAt
    ? `; it expires ${formatLocalTime(new Date(saved.expiresAt))} (${formatRelative(Date.parse(saved.expiresAt), Date.now())})`
    : '';
  output.line(
    `${output.paint('green', '✓')} Logged in to ${prepared.baseUrl} as ${output.paint('bold', userName)}.`,
  );
  output.line(`  Session token saved to ${file}${expiry}.`);
  output.line('  The API key was not saved.');
}
