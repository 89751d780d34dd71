// A consumer of the client openapi-typescript-codegen generates
// (`pnpm generate:openapi-typescript-codegen`).

import { check, type FlowInput, type FlowResult, LOCAL_SERVER } from './flow.js';
import {
  AccountService,
  ApiError,
  AuthService,
  OpenAPI,
  StatusService,
} from './generated/openapi-typescript-codegen/index';

export async function runFlow({ port, userName, apiKey }: FlowInput): Promise<FlowResult> {
  OpenAPI.BASE = LOCAL_SERVER.replace('{port}', port);
  OpenAPI.TOKEN = undefined;

  const pong = await StatusService.ping();
  check(pong.success, 'ping', pong);

  const login = await AuthService.loginKey({ userName, apiKey });
  check(login.success && login.token, 'loginKey', login.errorMessage);
  OpenAPI.TOKEN = login.token;

  const search = await AccountService.searchAccounts({ onlyActiveAccounts: true });
  check(search.success, 'Account/search', search);

  const bye = await AuthService.logout({});
  check(bye.success, 'logout', bye);

  // This client throws ApiError for any status its operation declares as an error.
  let statusAfterLogout = 200;
  try {
    await AccountService.searchAccounts({});
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    statusAfterLogout = error.status;
  }
  return {
    pinged: pong.success,
    activeAccounts: search.accounts.map((account) => account.name),
    loggedOut: bye.success,
    statusAfterLogout,
  };
}
