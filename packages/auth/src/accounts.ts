import type { TradingAccount } from '@testmax/client';
import { AccountNotFoundError } from './errors.js';

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
): TradingAccount {
  const names = accounts.map((a) => a.name);
  const list = names.length > 0 ? names.join(', ') : 'none';
  if (accountName !== undefined) {
    const exact = accounts.find((a) => a.name === accountName);
    if (exact) return exact;
    const folded = accounts.filter((a) => a.name.toLowerCase() === accountName.toLowerCase());
    if (folded.length === 1 && folded[0]) return folded[0];
    throw new AccountNotFoundError(
      `No TestMax account is named "${accountName}" (available: ${list}); set accountName or TESTMAX_ACCOUNT_NAME to one of them.`,
      names,
    );
  }
  const active = accounts.find((a) => a.canTrade);
  if (active) return active;
  throw new AccountNotFoundError(
    `This TestMax user has no account that can trade (accounts: ${list}); activate one, or choose one by name with accountName.`,
    names,
  );
}
