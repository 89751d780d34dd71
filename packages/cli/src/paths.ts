import { join } from 'node:path';
import { configDir } from '@testmax/auth/node';

/**
 * `$XDG_CONFIG_HOME/testmax/keys`, default `~/.config/testmax/keys`: API keys saved with
 * `login --insecure-storage`. A key is a credential the user chose to keep (as gh keeps its
 * token in ~/.config/gh), not state that expires. (The token cache, which is state, is the
 * SDK's `tokenStoreDir`.) Where the home and config directories are is the SDK's rule.
 */
export function keyFileDir(env: NodeJS.ProcessEnv): string {
  return join(configDir(env), 'keys');
}
