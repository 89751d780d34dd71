import type { TradingAccount } from '@testmax/client';
import { AccountNotFoundError } from './errors.js';
import { redact } from './redact.js';

/** Names listed in an error: enough to pick from, never a wall of text from a hostile server. */
const LISTED_NAMES = 20;
const NAME_CHARS = 64;

/**
 * An account name as an error message lists it: control characters replaced, length capped
 * (it is already redacted).
 */
function shownName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
  const clean = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
  return clean.length > NAME_CHARS ? `${clean.slice(0, NAME_CHARS - 1)}…` : clean;
}

export function isTradingAccount(value: unknown): value is TradingAccount {
  const a = value as Partial<TradingAccount> | null;
  return (
    a !== null &&
    typeof a === 'object' &&
    typeof a.id === 'number' &&
    typeof a.name === 'string' &&
    typeof a.canTrade === 'boolean'
  );
}

/**
 * The account to use: the one named `accountName` (exact match, else the only
 * case-insensitive match), or else the first one that can trade.
 */
export function selectAccount(
  accounts: readonly TradingAccount[],
  accountName: string | undefined,
  secrets: Iterable<string | undefined> = [],
): TradingAccount {
  // The error keeps every name (redacted: the server chose them) and lists a readable few.
  const notFound = (message: (list: string) => string) => {
    const known = [...secrets];
    const names = accounts.map((a) => redact(a.name, known));
    const more = names.length > LISTED_NAMES ? ` and ${names.length - LISTED_NAMES} more` : '';
    const list =
      names.length > 0 ? `${names.slice(0, LISTED_NAMES).map(shownName).join(', ')}${more}` : 'none';
    return new AccountNotFoundError(message(list), names);
  };
  if (accountName !== undefined) {
    const exact = accounts.find((a) => a.name === accountName);
    if (exact) return exact;
    const folded = accounts.filter((a) => a.name.toLowerCase() === accountName.toLowerCase());
    if (folded.length === 1 && folded[0]) return folded[0];
    throw notFound(
      (list) =>
        `No TestMax account is named "${accountName}" (available: ${list}); set accountName or TESTMAX_ACCOUNT_NAME to one of them.`,
    );
  }
  const active = accounts.find((a) => a.canTrade);
  if (active) return active;
  throw notFound(
    (list) =>
      `This TestMax user has no account that can trade (accounts: ${list}); activate one, or choose one by name with accountName.`,
  );
}
