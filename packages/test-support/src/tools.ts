import { accessSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The system tools some suites drive, each with the Debian package that provides it (the list
 * `pnpm test:setup` installs: .ci/debian-packages.txt). `pnpm test` never installs them, so a
 * suite must ask here before using one:
 * - present: run;
 * - missing on a laptop: skip, loudly (a warning, the reason in the skipped tests' names, and a
 *   line before the closing line of `pnpm test` naming the tool and `pnpm test:setup`);
 * - missing under CI=true: throw, so the test file fails. Nothing is ever skipped silently in CI.
 */
export const TOOLS = {
  chromium: { debianPackage: 'chromium', find: () => fileAt(chromiumPath()) },
  zsh: { debianPackage: 'zsh', find: () => onPath('zsh') },
  fish: { debianPackage: 'fish', find: () => onPath('fish') },
  'bash-completion': {
    debianPackage: 'bash-completion',
    find: () => fileAt('/usr/share/bash-completion/bash_completion'),
  },
  python3: { debianPackage: 'python3', find: () => onPath('python3') },
  'redis-server': { debianPackage: 'redis-server', find: () => onPath('redis-server') },
  go: { debianPackage: 'golang-go', find: () => onPath('go') },
  'gnome-keyring-daemon': { debianPackage: 'gnome-keyring', find: () => onPath('gnome-keyring-daemon') },
  'dbus-run-session': { debianPackage: 'dbus-daemon', find: () => onPath('dbus-run-session') },
} satisfies Record<string, { debianPackage: string; find: () => string | undefined }>;

export type ToolName = keyof typeof TOOLS;

export interface Tool {
  name: ToolName;
  /** Where it is: an executable or file path; undefined when missing. */
  path: string | undefined;
  available: boolean;
  /** '' when available, else " (skipped: zsh is not installed; run `pnpm test:setup`)" for test names. */
  skipNote: string;
}

/** Headless, and no traffic of the browser's own (updates, sync, first-run pages). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** Debian's Chromium, or `TESTMAX_CHROMIUM`. */
export function chromiumPath(): string {
  return process.env.TESTMAX_CHROMIUM || '/usr/bin/chromium';
}

export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * Look a tool up, applying the rule above. `env` and `recordDir` exist for this module's own
 * tests; suites call `tool('zsh')`.
 */
export function tool(name: ToolName, options: { env?: NodeJS.ProcessEnv; recordDir?: string } = {}): Tool {
  const { debianPackage, find } = TOOLS[name];
  const path = find();
  if (path !== undefined) return { name, path, available: true, skipNote: '' };
  const why = `${name} is not installed (\`pnpm test:setup\`, or apt-get install -y --no-install-recommends ${debianPackage})`;
  if (isCi(options.env)) {
    throw new Error(`${why}, and CI is set: CI never skips tests for a missing tool.`);
  }
  console.warn(`\n⚠ SKIPPED: ${why}; the tests that need it do not run.\n`);
  recordMissing(name, options.recordDir ?? join(process.cwd(), '.test-results', 'missing-tools'));
  return {
    name,
    path,
    available: false,
    skipNote: ` (skipped: ${name} is not installed; run \`pnpm test:setup\`)`,
  };
}

/** scripts/test.mjs lists these before its closing line. */
function recordMissing(name: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), '');
  } catch {
    // The warning above was printed; the record is only for the closing summary.
  }
}

function fileAt(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
