// A consumer of the client orval generates (`pnpm generate:orval`, configured in orval.config.ts).

import { check, type FlowInput, type FlowResult, LOCAL_SERVER } from './flow.js';
import { loginKey, logout, ping, searchAccounts } from './generated/orval/api.js';
import { setBaseUrl } from './orval-fetch.js';

export async function runFlow({ port, userName, apiKey }: FlowInput): Promise<FlowResult> {
  setBaseUrl(LOCAL_SERVER.replace('{port}', port));

  const pong = await ping();
  check(pong.status === 200 && pong.data.success, 'ping', pong.data);

  const login = await loginKey({ userName, apiKey });
  check(login.status === 200 && login.data.success && login.data.token, 'loginKey', login.data);
  const bearer = { headers: { Authorization: `Bearer ${login.data.token}` } };

  const search = await searchAccounts({ onlyActiveAccounts: true }, bearer);
  check(search.status === 200 && search.data.success, 'Account/search', search.data);

  const bye = await logout({}, bearer);
  check(bye.status === 200 && bye.data.success, 'logout', bye.data);

  const after = await searchAccounts({}, bearer);
  return {
    pinged: pong.data.success,
    activeAccounts: search.data.accounts.map((account) => account.name),
    loggedOut: bye.data.success,
    statusAfterLogout: after.status,
  };
}
