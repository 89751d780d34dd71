/** Where the SDK and the `testmax` CLI keep things on disk: one rule for the home directory. */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

type Env = Record<string, string | undefined>;

const present = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** `$HOME`, else `%USERPROFILE%` (Windows), else what the OS says. */
export function homeDirectory(env: Env = process.env): string {
  return present(env.HOME) ?? present(env.USERPROFILE) ?? homedir();
}

/**
 * `$XDG_<name>_HOME`, or `fallback` under the home directory. The XDG spec says a relative (or
 * empty) value is invalid and must be ignored.
 */
export function xdgDirectory(env: Env, name: 'CONFIG' | 'STATE', fallback: string): string {
  const xdg = present(env[`XDG_${name}_HOME`]);
  return xdg && isAbsolute(xdg) ? xdg : join(homeDirectory(env), fallback);
}

/**
 * `$XDG_CONFIG_HOME/testmax`, default `~/.config/testmax`: what the user chose to keep (the
 * config file; the CLI's saved API keys under `keys/`).
 */
export function configDir(env: Env = process.env): string {
  return join(xdgDirectory(env, 'CONFIG', '.config'), 'testmax');
}

/**
 * `$XDG_STATE_HOME/testmax`, default `~/.local/state/testmax`: a token is state (it expires
 * and is made again), not configuration. The CLI's token files live there.
 */
export function tokenStoreDir(env: Env = process.env): string {
  return join(xdgDirectory(env, 'STATE', join('.local', 'state')), 'testmax');
}
