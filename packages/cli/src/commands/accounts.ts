import { prepare } from '../cli-session.js';
import type { Context } from '../context.js';
import { formatMoney, formatTable } from '../format.js';
import { oneLine } from '../printable.js';
import { activeSession, ensureSaved, withSession } from '../saved-token.js';

export async function run(context: Context, options: { active?: boolean }): Promise<void> {
  const prepared = await prepare(context);
  const { value: accounts, session } = await withSession(
    context,
    prepared,
    await activeSession(context, prepared, { verify: false }),
    (session) => session.accounts({ onlyActive: options.active === true }),
  );
  await ensureSaved(prepared, session);
  const { output } = context;
  output.document({ userName: session.userName, accounts });
  if (accounts.length === 0) {
    output.line(options.active ? 'No active accounts (drop --active to see all).' : 'No accounts.');
    return;
  }
  // Names come from the server: one clean line per cell, or the columns would not line up.
  const rows = accounts.map((a) => [
    String(a.id),
    oneLine(a.name),
    formatMoney(a.balance),
    a.canTrade ? 'yes' : 'no',
  ]);
  output.line(formatTable(['ID', 'NAME', 'BALANCE', 'CAN TRADE'], rows, ['right', 'left', 'right', 'left']));
}
