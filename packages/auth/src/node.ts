/**
 * The Node entry: everything in the runtime-neutral entry, plus reading credentials from the
 * environment, `.env` and the config file, and the token store for processes on one machine.
 * (`AuthSession` is the same class in both; its `fromEnv` works wherever Node's export
 * condition applies, see `#platform` in package.json.)
 */

export type { ConfigFileSettings, ConfigFileValues } from './config-file.js';
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
export {
  type FileTokenStore,
  type FileTokenStoreOptions,
  fileTokenStore,
  tokenStoreDir,
} from './file-token-store.js';
export * from './index.js';
export { configDir } from './node-paths.js';
export { looseFileWarning, looseness } from './permissions.js';
export { writePrivateFile } from './private-file.js';
export {
  type RegularFileRead,
  readRegularFile,
  readRegularFileSync,
} from './regular-file.js';
