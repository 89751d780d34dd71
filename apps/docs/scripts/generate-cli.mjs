// The CLI reference: the built `testmax` binary's own --help output for the program and for every
// command it lists, so the page is exactly what users see in a terminal. If the CLI is not built
// yet, a placeholder page says so instead of failing the docs build.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliPage, repoRoot } from './paths.mjs';
import { placeholderPage } from './placeholder.mjs';

const run = promisify(execFile);
const bin = join(repoRoot, 'packages/cli/dist/bin.js');
const mockBin = join(repoRoot, 'packages/mock-server/dist/bin.js');

/** Help must not depend on whoever builds the docs: no colours, no real credentials or config. */
async function helpRunner() {
  const home = await mkdtemp(join(tmpdir(), 'testmax-docs-cli-'));
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local/state'),
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    COLUMNS: '100',
  };
  const helpOf = async (file, ...args) => {
    const { stdout } = await run(process.execPath, [file, ...args], { env, cwd: home, timeout: 15_000 });
    return stdout.trimEnd();
  };
  const help = (...args) => helpOf(bin, ...args);
  return { help, helpOf, cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** Commander lists commands under "Commands:" as `  name [options] <args>  description`. */
export function parseCommands(rootHelp) {
  const section = rootHelp.split(/^Commands:\s*$/m)[1];
  if (!section) return [];
  const names = [];
  for (const line of section.split('\n')) {
    if (/^\S/.test(line)) break; // the next section
    const match = /^ {2}([a-z][\w-]*)/.exec(line);
    if (match && match[1] !== 'help') names.push(match[1]);
  }
  return names;
}

function page(version, rootHelp, commands, mockHelp) {
  const lines = [
    '# CLI reference',
    '',
    `Generated at build time from the \`--help\` output of \`testmax\` ${version}, so it always matches`,
    'the installed command. Install it with `npm install -g @testmax/cli` (or run `npx @testmax/cli`).',
    '',
    '## testmax',
    '',
    '```text',
    rootHelp,
    '```',
    '',
  ];
  for (const { name, help } of commands) {
    lines.push(`## testmax ${name}`, '', '```text', help, '```', '');
  }
  if (mockHelp) {
    lines.push(
      '## testmax-mock',
      '',
      'The local simulator from `@testmax/mock-server` (see',
      '[Testing with the mock server](../guide/testing-with-mock-server.md)); run it with',
      // -p: a bare `npx testmax-mock` would fetch an unrelated unscoped package of that name.
      '`npx -p @testmax/mock-server testmax-mock`.',
      '',
      '```text',
      mockHelp,
      '```',
      '',
    );
  }
  lines.push(
    '## Exit codes and errors',
    '',
    'The exit codes are listed in `testmax --help` above; [Errors](../guide/errors.md) explains',
    'what causes each one and what to do about it.',
    '',
  );
  return lines.join('\n');
}

export async function generateCli() {
  if (!existsSync(bin)) {
    await writeFile(
      cliPage,
      placeholderPage({
        title: 'CLI reference',
        what: 'This page is generated from the `--help` output of the built `testmax` command (`packages/cli/dist/bin.js`), which did not exist when the site was built.',
        how: 'Run `pnpm build` at the repository root (it builds the CLI before the docs) and rebuild the site.',
      }),
    );
    return 'CLI: placeholder (packages/cli/dist/bin.js not built)';
  }
  const { help, helpOf, cleanup } = await helpRunner();
  try {
    const [rootHelp, version] = await Promise.all([help('--help'), help('--version')]);
    const names = parseCommands(rootHelp);
    const commands = await Promise.all(
      names.map(async (name) => ({ name, help: await help(name, '--help') })),
    );
    // The simulator's own command is optional here: its package may not be built yet.
    const mockHelp = existsSync(mockBin) ? await helpOf(mockBin, '--help').catch(() => undefined) : undefined;
    await writeFile(cliPage, page(version, rootHelp, commands, mockHelp));
    return `CLI: generated (${names.join(', ')}${mockHelp ? ', testmax-mock' : ''})`;
  } catch (error) {
    const detail = error instanceof Error ? `${error.message}\n${error.stderr ?? ''}` : String(error);
    await writeFile(
      cliPage,
      placeholderPage({
        title: 'CLI reference',
        what: 'This page is generated from the `--help` output of the built `testmax` command, and running it failed.',
        how: 'Rebuild the CLI (`pnpm --filter @testmax/cli build`) and then the site.',
        detail,
      }),
    );
    return `CLI: placeholder (--help failed: ${detail.split('\n')[0]})`;
  } finally {
    await cleanup();
  }
}
