import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * `$XDG_STATE_HOME/testmax`, default `~/.local/state/testmax`. A session token is state (it
 * expires and is re-created), not configuration, so it does not live beside config.json.
 * The XDG spec says relative values are invalid and must be ignored.
 */
export function stateDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'testmax');
}
