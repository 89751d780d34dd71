/**
 * The Node entry: everything in the runtime-neutral entry, plus reading credentials from the
 * environment, `.env` and the config file, and an `AuthSession` whose `fromEnv` works.
 */
import { loadCredentials } from './credentials.js';
import type { FromEnvOptions } from './options.js';
import { AuthSession as NeutralAuthSession } from './session.js';

export { type ConfigFileSettings, type ConfigFileValues, parseConfigFile } from './config-file.js';
export {
  type CredentialOrigin,
  type CredentialSource,
  type CredentialSources,
  type Credentials,
  checkKeyDestination,
  loadCredentials,
  profileNames,
  type ResolvedCredentials,
  resolveCredentials,
} from './credentials.js';
export { parseDotenv } from './dotenv.js';
export { type FileTokenStoreOptions, fileTokenStore, tokenStoreDir } from './file-token-store.js';
export * from './index.js';
export { permissionWarning } from './permissions.js';
export {
  MAX_SETTINGS_FILE_BYTES,
  type RegularFileRead,
  readRegularFile,
  readRegularFileSync,
} from './regular-file.js';

export class AuthSession extends NeutralAuthSession {
  /**
   * A session from `loadCredentials()`: explicit options, then `TESTMAX_*` variables, then
   * `.env` in `cwd`, then the config file. Any other session option passes through.
   */
  static override fromEnv(options: FromEnvOptions = {}): AuthSession {
    const {
      env,
      cwd,
      configPath,
      onWarning,
      userName,
      apiKey,
      accountName,
      baseUrl,
      profile,
      ...sessionOptions
    } = options;
    const credentials = loadCredentials({
      env,
      cwd,
      configPath,
      onWarning,
      userName,
      apiKey,
      accountName,
      baseUrl,
      profile,
    });
    return new AuthSession({
      ...sessionOptions,
      userName: credentials.userName,
      apiKey: credentials.apiKey,
      accountName: credentials.accountName,
      baseUrl: credentials.baseUrl,
      profile: credentials.profile,
    });
  }
}
