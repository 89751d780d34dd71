// A consumer of the client @hey-api/openapi-ts generates (`pnpm generate:hey-api`).

import { check, type FlowInput, type FlowResult } from './flow.js';
import { createClient } from './generated/hey-api/client/index.js';
import { loginKey, logout, ping, searchAccounts } from './generated/hey-api/sdk.gen.js';
import type { ClientOptions } from './generated/hey-api/types.gen.js';

// hey-api types `baseUrl` as the spec's server URLs: the local entry is one of them.
const local: ClientOptions['baseUrl'] = 'http://127.0.0.1:{port}';

export async function runFlow({ port, userName, apiKey }: FlowInput): Promise<FlowResult> {
  const client = createClient({ baseUrl: local.replace('{port}', port) });

  const pong = await ping({ client });
  check(pong.data?.success, 'ping', pong.error);

  const login = await loginKey({ client, body: { userName, apiKey } });
  check(login.data?.success && login.data.token, 'loginKey', login.data?.errorMessage ?? login.error);
  const token = login.data.token;

  const search = await searchAccounts({ client, auth: token, body: { onlyActiveAccounts: true } });
  check(search.data?.success, 'Account/search', search.error);

  const bye = await logout({ client, auth: token, body: {} });
  check(bye.data?.success, 'logout', bye.error);

  const after = await searchAccounts({ client, auth: token, body: {} });
  return {
    pinged: pong.data.success,
    activeAccounts: search.data.accounts.map((account) => account.name),
    loggedOut: bye.data.success,
    statusAfterLogout: after.response.status,
  };
}
