// A consumer of the client oazapfts generates (`pnpm generate:oazapfts`).

import { check, type FlowInput, type FlowResult, fail } from './flow.js';
import { defaults, loginKey, logout, ping, searchAccounts, servers } from './generated/oazapfts/api.js';

export async function runFlow({ port, userName, apiKey }: FlowInput): Promise<FlowResult> {
  // oazapfts turns each `servers` entry into a helper; the local one takes the port variable.
  defaults.baseUrl = servers.localSimulator({ port });

  // Each call resolves to { status, data } for every status the operation declares.
  const pong = await ping();
  if (pong.status !== 200) fail('ping', pong);
  check(pong.data.success, 'ping', pong.data);

  const login = await loginKey({ userName, apiKey });
  if (login.status !== 200) fail('loginKey', login);
  check(login.data.success && login.data.token, 'loginKey', login.data.errorMessage);
  const bearer = { headers: { Authorization: `Bearer ${login.data.token}` } };

  const search = await searchAccounts({ onlyActiveAccounts: true }, bearer);
  if (search.status !== 200) fail('Account/search', search);
  check(search.data.success, 'Account/search', search.data);

  const bye = await logout({}, bearer);
  if (bye.status !== 200) fail('logout', bye);
  check(bye.data.success, 'logout', bye.data);

  const after = await searchAccounts({}, bearer);
  return {
    pinged: pong.data.success,
    activeAccounts: search.data.accounts.map((account) => account.name),
    loggedOut: bye.data.success,
    statusAfterLogout: after.status,
  };
}
