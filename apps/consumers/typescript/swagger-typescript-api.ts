// A consumer of the client swagger-typescript-api generates (`pnpm generate:swagger-typescript-api`).

import { check, type FlowInput, type FlowResult, LOCAL_SERVER } from './flow.js';
import { Api, type HttpResponse } from './generated/swagger-typescript-api/api.js';

export async function runFlow({ port, userName, apiKey }: FlowInput): Promise<FlowResult> {
  const api = new Api<string>({
    baseUrl: LOCAL_SERVER.replace('{port}', port),
    // The bearer comes from the security data set after login, on calls marked `secure`.
    securityWorker: (token) => (token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
  });

  const pong = await api.status.ping();
  check(pong.data.success, 'ping', pong.data);

  const login = await api.auth.loginKey({ userName, apiKey });
  check(login.data.success && login.data.token, 'loginKey', login.data.errorMessage);
  api.setSecurityData(login.data.token);

  const search = await api.account.searchAccounts({ onlyActiveAccounts: true });
  check(search.data.success, 'Account/search', search.data);

  const bye = await api.auth.logout({});
  check(bye.data.success, 'logout', bye.data);

  // This client rejects with the response for any status outside 2xx.
  const after = await api.account
    .searchAccounts({})
    .catch((response: HttpResponse<unknown, unknown>) => response);
  return {
    pinged: pong.data.success,
    activeAccounts: search.data.accounts.map((account) => account.name),
    loggedOut: bye.data.success,
    statusAfterLogout: after.status,
  };
}
