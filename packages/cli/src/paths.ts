import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** `$XDG_<NAME>_HOME`, or `~/<fallback>`. The XDG spec says relative values must be ignored. */
function xdgDir(env: NodeJS.ProcessEnv, variable: string, fallback: string[]): string {
  const xdg = env[variable];
  return xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ...fallback);
}

/**
 * `$XDG_STATE_HOME/testmax`, default `~/.local/state/testmax`. A session token is state (it
 * expires and is re-created), not configuration, so it does not live beside config.json.
 */
export function stateDir(env: NodeJS.ProcessEnv): string {
  return join(xdgDir(env, 'XDG_STATE_HOME', ['.local', 'state']), 'testmax');
}

/**
 * `$XDG_CONFIG_HOME/testmax/keys`, default `~/.config/testmax/keys`: API keys saved with
 * `login --insecure-storage`. A key is a credential the user chose to keep (as gh keeps its
 * token in ~/.config/gh), not state that expires.
 */
export function keyFileDir(env: NodeJS.ProcessEnv): string {
  return join(xdgDir(env, 'XDG_CONFIG_HOME', ['.config']), 'testmax', 'keys');
}
