import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * `$XDG_CONFIG_HOME/testmax/keys`, default `~/.config/testmax/keys`: API keys saved with
 * `login --insecure-storage`. A key is a credential the user chose to keep (as gh keeps its
 * token in ~/.config/gh), not state that expires. (The token cache, which is state, is the
 * SDK's `tokenStoreDir`.) The XDG spec says a relative value must be ignored.
 */
export function keyFileDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'testmax', 'keys');
}
