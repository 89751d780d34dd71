/** `#platform` for Node (the `node` export condition): the credentials chain. */
import { loadCredentials } from '../credentials.js';
import type { LoadCredentialsOptions } from '../options.js';
import type { SessionCredentials } from './types.js';

export function loadSessionCredentials(options: LoadCredentialsOptions): SessionCredentials {
  const { userName, apiKey, accountName, baseUrl, profile } = loadCredentials(options);
  return { userName, apiKey, accountName, baseUrl, profile };
}
