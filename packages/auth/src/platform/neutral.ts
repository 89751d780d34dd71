/**
 * `#platform` for browsers, workers and every runtime without the `node` export condition:
 * reading the environment and files is not possible here.
 */
import { ConfigError } from '../errors.js';
import type { LoadCredentialsOptions } from '../options.js';
import type { SessionCredentials } from './types.js';

export function loadSessionCredentials(_options: LoadCredentialsOptions): SessionCredentials {
  throw new ConfigError(
    'AuthSession.fromEnv() reads environment variables and files, which this build of @testmax/auth (for browsers and workers) cannot do; import it from "@testmax/auth/node", or pass { userName, apiKey } to new AuthSession().',
  );
}
