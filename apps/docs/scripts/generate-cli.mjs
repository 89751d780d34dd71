// The CLI reference: one section per command (usage, options, examples, exit codes), rendered
// from the same command definitions as `testmax --help` (`cliReference()` in the built CLI,
// packages/cli/dist/reference.js), so the page always matches the installed command; and the
// simulator's command, `testmax-mock`, from its own --help. If the CLI is not built yet, a
// placeholder page says so instead of failing the docs build.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { cliPage, repoRoot } from './paths.mjs';
import { placeholderPage } from './placeholder.mjs';
import { prose } from './text.mjs';

const run = promisify(execFile);
const reference = join(repoRoot, 'packages/cli/dist/reference.js');
const mockBin = join(repoRoot, 'packages/mock-server/bin/testmax-mock.js');
const mockBuilt = join(repoRoot, 'packages/mock-server/dist/bin.js');

const code = (text) => `\`${text.replaceAll('`', "'")}\``;

function table(header, rows) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** Examples as one shell block: each comment above its command. */
function examplesBlock(examples) {
  const lines = examples.flatMap(({ command, comment }) => [...(comment ? [`# ${comment}`] : []), command]);
  return ['```sh', ...lines, '```'];
}

function exitCodesTable(exitCodes) {
  return table(
    ['exit code', 'meaning'],
    exitCodes.map(([value, meaning]) => [code(String(value)), prose(meaning)]),
  );
}

function optionsTable(options) {
  return table(
    ['option', 'meaning'],
    options.map((o) => [code(o.flags), prose(o.description)]),
  );
}

/** One command's section. */
export function commandSection(command) {
  const lines = [`## testmax ${command.name}`, '', `${prose(capitalize(command.description))}.`, ''];
  lines.push('```sh', command.usage, '```', '');
  if (command.details) {
    for (const paragraph of command.details.split('\n\n'))
      lines.push(prose(paragraph.replaceAll('\n', ' ')), '');
  }
  if (command.listing) {
    const { title, columns, rows } = command.listing;
    lines.push(
      `**${title}**`,
      '',
      ...table(
        columns,
        rows.map(([name, meaning]) => [code(name), prose(meaning)]),
      ),
      '',
    );
  }
  if (command.arguments.length > 0) {
    lines.push('**Arguments**', '');
    lines.push(
      ...table(
        ['argument', 'meaning'],
        command.arguments.map((a) => [
          code(a.name),
          prose(a.description) + (a.choices ? `: one of ${a.choices.map(code).join(', ')}` : ''),
        ]),
      ),
      '',
    );
  }
  if (command.options.length > 0) {
    lines.push(
      '**Options** (and the [global options](#global-options))',
      '',
      ...optionsTable(command.options),
      '',
    );
  } else {
    lines.push('**Options**: the [global options](#global-options) only.', '');
  }
  lines.push('**Examples**', '', ...examplesBlock(command.examples), '');
  lines.push('**Exit codes**', '', ...exitCodesTable(command.exitCodes), '');
  return lines;
}

const capitalize = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The simulator's help (a hand-written text in the mock-server's bin) as sections:
 * `{ usage, description, options: [{ flags, description }], examples, exitCodes }`.
 */
export function parseMockHelp(help) {
  const sections = new Map();
  let current = 'intro';
  for (const line of help.split('\n')) {
    const heading = /^([A-Z][\w ]*):$/.exec(line);
    if (heading) {
      current = heading[1];
      sections.set(current, []);
      continue;
    }
    if (!sections.has(current)) sections.set(current, []);
    sections.get(current).push(line);
  }
  const intro = sections.get('intro') ?? [];
  const usage = (intro.find((l) => l.startsWith('Usage: ')) ?? '').slice('Usage: '.length);
  const description = intro
    .filter((l) => l.trim() !== '' && !l.startsWith('Usage: '))
    .join(' ')
    .trim();
  const options = [];
  for (const line of sections.get('Options') ?? []) {
    const match = /^ {2}(\S.*?)\s{2,}(\S.*)$/.exec(line);
    if (match) options.push({ flags: match[1], description: match[2] });
    else if (/^\s{4,}\S/.test(line) && options.length > 0) options.at(-1).description += ` ${line.trim()}`;
  }
  const examples = [];
  let comment;
  for (const line of sections.get('Examples') ?? []) {
    const text = line.trim();
    if (text.startsWith('# ')) comment = text.slice(2);
    else if (text.startsWith('$ ')) {
      examples.push({ command: text.slice(2), ...(comment ? { comment } : {}) });
      comment = undefined;
    }
  }
  const exitCodes = (sections.get('Exit codes') ?? [])
    .map((line) => /^ {2}(\d+)\s+(.*)$/.exec(line))
    .filter(Boolean)
    .map((m) => [Number(m[1]), m[2]]);
  return { usage, description, options, examples, exitCodes };
}

function mockSection(mock) {
  return [
    '## testmax-mock',
    '',
    `${prose(mock.description)} The local simulator from \`@testmax/mock-server\`; see`,
    '[Testing with the mock server](../guide/testing-with-mock-server.md).',
    '',
    '```sh',
    mock.usage,
    '```',
    '',
    '**Options**',
    '',
    ...optionsTable(mock.options),
    '',
    '**Examples**',
    '',
    ...examplesBlock(mock.examples),
    '',
    '**Exit codes**',
    '',
    ...exitCodesTable(mock.exitCodes),
    '',
  ];
}

export function page(cli, mock) {
  const lines = [
    '# CLI reference',
    '',
    `\`testmax\` ${cli.version}: ${prose(cli.description)} This page is generated from the same`,
    'command definitions as `testmax --help`, so the two always agree.',
    '',
    '::: warning Not on npm yet',
    'Until the packages are published, run the commands from a clone of the SDK repository: after',
    '`pnpm install && pnpm build`, `export PATH="$PWD/bin:$PATH"` puts `testmax` and `testmax-mock`',
    'on your `PATH` (see [Getting started](../guide/getting-started.md#from-a-clone)).',
    ':::',
    '',
    '```sh',
    cli.usage,
    '```',
    '',
    '## Global options',
    '',
    'Every command takes these, before or after its name (`testmax --json status` is `testmax status --json`).',
    '',
    ...optionsTable(cli.globalOptions),
    '',
  ];
  for (const command of cli.commands) lines.push(...commandSection(command));
  lines.push(
    '## Exit codes',
    '',
    'The same in human and `--json` mode; each command above lists the ones it can end with.',
    '[Errors](../guide/errors.md) explains what causes each one and what to do about it.',
    '',
    ...exitCodesTable(cli.exitCodes),
    '',
    '## Credentials and environment',
    '',
    prose(cli.credentials.replaceAll('\n', ' ')),
    '',
    ...table(
      ['variable', 'meaning'],
      cli.environment.map(([name, meaning]) => [name.split(', ').map(code).join(', '), prose(meaning)]),
    ),
    '',
  );
  if (mock) lines.push(...mockSection(mock));
  return lines.join('\n');
}

export async function generateCli() {
  if (!existsSync(reference)) {
    await writeFile(
      cliPage,
      placeholderPage({
        title: 'CLI reference',
        what: 'This page is generated from the command definitions of the built `testmax` command (`packages/cli/dist/reference.js`), which did not exist when the site was built.',
        how: 'Run `pnpm build` at the repository root (it builds the CLI before the docs) and rebuild the site.',
      }),
    );
    return 'CLI: placeholder (packages/cli/dist/reference.js not built)';
  }
  try {
    const { cliReference } = await import(pathToFileURL(reference).href);
    const cli = cliReference();
    // The simulator's command is optional here: its package may not be built yet.
    let mock;
    if (existsSync(mockBuilt)) {
      const { stdout } = await run(process.execPath, [mockBin, '--help'], { timeout: 15_000 });
      mock = parseMockHelp(stdout);
    }
    await writeFile(cliPage, page(cli, mock));
    return `CLI: generated (${cli.commands.map((c) => c.name).join(', ')}${mock ? ', testmax-mock' : ''})`;
  } catch (error) {
    const detail = error instanceof Error ? `${error.message}\n${error.stderr ?? ''}` : String(error);
    await writeFile(
      cliPage,
      placeholderPage({
        title: 'CLI reference',
        what: 'This page is generated from the command definitions of the built `testmax` command, and reading them failed.',
        how: 'Rebuild the CLI (`pnpm --filter @testmax/cli build`) and then the site.',
        detail,
      }),
    );
    return `CLI: placeholder (${detail.split('\n')[0]})`;
  }
}
